"""Exit codes tell cron the truth, the same in every output mode (issue 16).

Real subprocesses: the simulator over HTTP, then `stravasync sync` once it is gone; and commands
about a thing the mirror does not hold (a session, an athlete, a subscription) exit 2 with a
sentence on stderr, never 0 with an empty answer a script would take for real."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stravasync.store import Database
from stravasync.store.pending.sessions import start_session
from tests.e2e.simproc import cli_env, run_cli, simulator

ATHLETE = 10000001
T0 = datetime(2026, 12, 3, tzinfo=UTC)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sync_with_strava_unreachable_exits_1_and_names_the_url(
    db_url: str, tmp_path: Path
) -> None:
    with simulator("--athletes", "1", "--seed", "1", "--quota", "unlimited") as sim:
        env = cli_env(sim, db_url, tmp_path, STRAVASYNC_SYNC_ENRICH="false")
        auth = run_cli(["auth", "--code", sim.grant(ATHLETE), "--no-listen"], env, tmp_path)
        assert auth.returncode == 0, auth.stderr
        base_url = sim.base_url
    # the simulator has stopped: nothing listens on its port any more
    human = run_cli(["sync", "--athlete", str(ATHLETE), "--once"], env, tmp_path)
    assert human.returncode == 1, human.stdout + human.stderr
    assert "Traceback" not in human.stderr
    assert f"cannot reach {base_url}/api/v3/" in human.stderr
    # the failure moved the athlete's next attempt; ask for it now, in JSON this time
    as_json = run_cli(
        ["sync", "--athlete", str(ATHLETE), "--mode", "incremental", "--once", "--json"],
        env,
        tmp_path,
    )
    assert as_json.returncode == 1, as_json.stdout + as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["failed"] == 1
    assert any(f"cannot reach {base_url}/api/v3/" in e for e in report["errors"]), report


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("mode", [[], ["--json"]])
def test_eddington_of_an_unknown_athlete_says_so(
    db_url: str, tmp_path: Path, mode: list[str]
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env["STRAVASYNC_DATABASE_URL"] = db_url
    out = run_cli(["stats", "eddington", "--athlete", "424242", *mode], env, tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stdout == ""
    assert "athlete 424242 is not in the mirror" in out.stderr
    assert "Traceback" not in out.stderr


def _offline_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    """Settings for commands that must answer from the database alone: the Strava URL is a
    port nothing listens on, so a command that reached out would fail loudly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=db_url,
        STRAVASYNC_STRAVA_BASE_URL="http://127.0.0.1:9",
        STRAVASYNC_CLIENT_ID="1",
        STRAVASYNC_CLIENT_SECRET="offline",
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
    )
    return env


def _says_unknown(out: subprocess.CompletedProcess[str], message: str) -> None:
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stdout == ""
    assert message in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("mode", [[], ["--json"]])
def test_logs_of_an_unknown_session_exits_2_and_a_known_empty_one_0(
    db_url: str, tmp_path: Path, mode: list[str]
) -> None:
    env = _offline_env(db_url, tmp_path)
    unknown = run_cli(["logs", "--session", "20261203T000000-nosuchone", *mode], env, tmp_path)
    _says_unknown(unknown, "no session 20261203T000000-nosuchone")
    db = Database.open(db_url)
    try:
        with db.transaction() as conn:
            known = start_session(conn, athlete_id=None, mode="incremental", trigger="cli", now=T0)
    finally:
        db.close()
    empty = run_cli(["logs", "--session", known, *mode], env, tmp_path)
    assert empty.returncode == 0, empty.stdout + empty.stderr
    if mode:
        assert json.loads(empty.stdout) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "args",
    [
        ["logs", "--athlete", "424242"],
        ["logs", "--athlete", "424242", "--json"],
        ["sync", "--athlete", "424242", "--once"],
        ["sync", "--athlete", "424242", "--once", "--json"],
        ["athletes", "set", "424242", "--hidden", "on"],
        ["stats", "refresh", "--athlete", "424242"],
    ],
    ids=" ".join,
)
def test_a_command_about_an_unknown_athlete_exits_2(
    db_url: str, tmp_path: Path, args: list[str]
) -> None:
    out = run_cli(args, _offline_env(db_url, tmp_path), tmp_path)
    _says_unknown(out, "athlete 424242 is not in the mirror")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("fmt", "mode"), [("jsonl", []), ("jsonl", ["--json"]), ("csv", []), ("parquet", [])]
)
def test_export_of_an_unknown_athlete_exits_2_and_writes_nothing(
    db_url: str, tmp_path: Path, fmt: str, mode: list[str]
) -> None:
    target = tmp_path / f"out.{fmt}"
    args = ["export", "--format", fmt, "--out", str(target), "--athlete", "424242", *mode]
    out = run_cli(args, _offline_env(db_url, tmp_path), tmp_path)
    _says_unknown(out, "athlete 424242 is not in the mirror")
    assert not target.exists()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_webhooks_unsubscribe_with_nothing_stored_exits_2(db_url: str, tmp_path: Path) -> None:
    out = run_cli(["webhooks", "unsubscribe"], _offline_env(db_url, tmp_path), tmp_path)
    _says_unknown(out, "no subscription is stored; pass --id")
