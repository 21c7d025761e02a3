"""`stravasync sync` progress: drawn on a terminal (a pty), absent from pipes and --json."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.simproc import CLI, cli_env, run_cli, simulator

ATHLETE = 10000001
PROGRESS = "left in the budget window"


def _on_a_pty(args: list[str], env: dict[str, str], cwd: Path) -> str:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*CLI, *args], env={**env, "COLUMNS": "200"}, cwd=cwd, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_progress_only_on_a_terminal(db_url: str, tmp_path: Path) -> None:
    with simulator("--athletes", "3", "--seed", "4", "--quota", "unlimited") as sim:
        env = cli_env(sim, db_url, tmp_path, STRAVASYNC_SYNC_ENRICH="false")
        for athlete in (ATHLETE, ATHLETE + 1, ATHLETE + 2):
            auth = run_cli(["auth", "--code", sim.grant(athlete), "--no-listen"], env, tmp_path)
            assert auth.returncode == 0, auth.stderr
        piped = run_cli(["sync", "--athlete", str(ATHLETE), "--once"], env, tmp_path)
        assert piped.returncode == 0, piped.stderr
        assert "sync run" in piped.stdout  # the final table only
        assert PROGRESS not in piped.stdout + piped.stderr and "page(s)" not in piped.stdout
        as_json = run_cli(
            ["sync", "--athlete", str(ATHLETE + 1), "--once", "--json"], env, tmp_path
        )
        assert as_json.returncode == 0, as_json.stderr
        assert json.loads(as_json.stdout)["synced"] == 1  # nothing but the JSON document
        assert PROGRESS not in as_json.stderr
        shown = _on_a_pty(["sync", "--athlete", str(ATHLETE + 2), "--once"], env, tmp_path)
    assert f"backfill athlete {ATHLETE + 2}: 1 page(s)" in shown, shown
    assert PROGRESS in shown and "sync run" in shown
    out = tmp_path / "all.jsonl"
    exported = _on_a_pty(["export", "--format", "jsonl", "--out", str(out)], env, tmp_path)
    lines = len(out.read_text().splitlines())
    assert lines > 0 and f"export: 1 page(s), {lines}/{lines} activities" in exported, exported
    piped_export = run_cli(["export", "--format", "jsonl", "--out", str(out)], env, tmp_path)
    assert piped_export.returncode == 0 and "page(s)" not in piped_export.stderr
    assert piped_export.stderr.startswith(f"{lines} activities written to")  # the final line only
    assert piped_export.stderr.count("\n") <= 2, piped_export.stderr  # (a long path may wrap)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_long_backfill_shows_strava_s_count_and_an_eta(db_url: str, tmp_path: Path) -> None:
    """A history of several pages: after the first full page, one stats read gives a total
    (a lower bound: ``n/≥total``) and an ETA; ``status`` shows the count beside the mirror's."""
    args = ("--athletes", "1", "--seed", "11", "--quota", "unlimited", "--history-days", "1100")
    with simulator(*args) as sim:
        env = cli_env(sim, db_url, tmp_path, STRAVASYNC_SYNC_ENRICH="false")
        auth = run_cli(["auth", "--code", sim.grant(ATHLETE), "--no-listen"], env, tmp_path)
        assert auth.returncode == 0, auth.stderr
        shown = _on_a_pty(["sync", "--athlete", str(ATHLETE)], env, tmp_path)
        requests = sim.stats()["requests"]
        status = run_cli(["status", "--json"], env, tmp_path)
        table = run_cli(["status"], {**env, "COLUMNS": "200"}, tmp_path)
    assert requests.get("GET /api/v3/athletes/{id}/stats") == {"200": 1}, (requests, shown)
    assert requests["GET /api/v3/athlete/activities"]["200"] >= 3, requests
    (row,) = json.loads(status.stdout)
    count = row["strava_count"]
    assert 0 < count <= row["activity_count"] and row["strava_count_at"]
    assert f"/≥{count} activities" in shown and "ETA ≥" in shown, shown
    beside = rf"{row['activity_count']}\s+≥ {count}\s"  # the mirror's count, then Strava's
    assert "on Strava" in table.stdout and re.search(beside, table.stdout), table.stdout
