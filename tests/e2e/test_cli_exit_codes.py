"""Exit codes tell cron the truth, the same in every output mode (issue 16).

Real subprocesses: the simulator over HTTP, then `stravasync sync` once it is gone."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.simproc import cli_env, run_cli, simulator

ATHLETE = 10000001


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
