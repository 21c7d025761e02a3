"""Issue 23's "first hour" trips, as a newcomer meets them: real subprocesses against a
`stravasync simulate` process over HTTP.

- `sync --athlete N --once` with nothing due says so and how to force a pass (trip 5);
- `sync` while the whole application is suspended exits 1 with one line (trip 2), in both
  output modes, so cron never reads success.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.simproc import SimProcess, cli_env, run_cli, simulator

ATHLETE = 10000001


@pytest.fixture(scope="module")
def sim() -> Iterator[SimProcess]:
    with simulator("--athletes", "2", "--history-days", "10", "--seed", "3", "--quota",
                   "unlimited") as s:  # fmt: skip
        yield s


def synced(sim: SimProcess, tmp_path: Path) -> dict[str, str]:
    env = cli_env(sim, f"sqlite:///{tmp_path}/db.sqlite", tmp_path, STRAVASYNC_SYNC_ENRICH="false")
    auth = run_cli(["auth", "--code", sim.grant(ATHLETE), "--no-listen"], env, tmp_path)
    assert auth.returncode == 0, auth.stderr
    first = run_cli(["sync", "--athlete", str(ATHLETE), "--json"], env, tmp_path)
    assert first.returncode == 0 and json.loads(first.stdout)["synced"] >= 1, first.stderr
    return env


def test_nothing_due_says_how_to_force_a_pass(sim: SimProcess, tmp_path: Path) -> None:
    env = synced(sim, tmp_path)
    idle = run_cli(["sync", "--athlete", str(ATHLETE), "--once"], env, tmp_path)
    assert idle.returncode == 0, idle.stderr
    text = " ".join(idle.stdout.split())
    assert f"nothing was due for athlete {ATHLETE} (next work due in " in text, text
    hint = f"stravasync sync --athlete {ATHLETE} --mode incremental"
    assert hint in text
    # the hint works: it spends a request on a pass now
    forced = run_cli([*hint.split()[1:], "--once", "--json"], env, tmp_path)
    assert forced.returncode == 0, forced.stderr
    report = json.loads(forced.stdout)
    assert report["synced"] == 1 and report["api_calls"] >= 1


def test_sync_while_the_app_is_suspended_exits_1(sim: SimProcess, tmp_path: Path) -> None:
    env = synced(sim, tmp_path)
    sim.faults(inactive_app=True)
    try:  # the first run meets the 403 and records the state; the others send nothing at all
        runs = [
            (mode, run_cli([*args, *mode], env, tmp_path))
            for args, mode in (
                (["sync", "--athlete", str(ATHLETE), "--mode", "incremental", "--once"], []),
                (["sync", "--once"], []),
                (["sync", "--once"], ["--json"]),
            )
        ]
    finally:
        sim.faults(inactive_app=False)
    for mode, run in runs:
        assert run.returncode == 1, run.stdout + run.stderr
        lines = [line for line in run.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and "Strava application suspended since" in lines[0], run.stderr
        assert "stravasync app-state" in lines[0] and "Traceback" not in run.stderr
        if mode:
            assert json.loads(run.stdout)["failed"] == 0  # no athlete failed: the app did
