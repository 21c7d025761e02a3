"""`stravasync scheduler list|run` as a subprocess on a fresh SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "stravasync"]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    base.update(env)
    return subprocess.run(
        [*CLI, *args], cwd=tmp_path, env=base, capture_output=True, text=True, timeout=120
    )


def test_run_a_job_now_then_list_its_outcome(tmp_path: Path) -> None:
    env = {
        "STRAVASYNC_SCHEDULE_TZ": "Europe/London",
        "STRAVASYNC_SCHEDULE_WAREHOUSE_REFRESH": "0 5 * * *",
        "STRAVASYNC_EXPORT_WAREHOUSE": str(tmp_path / "wh.duckdb"),
    }
    done = run(["scheduler", "run", "warehouse_refresh"], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("warehouse_refresh: ok: warehouse refreshed (upserted 0")
    assert (tmp_path / "wh.duckdb").exists()
    listed = run(["scheduler", "list", "--json"], tmp_path, **env)
    assert listed.returncode == 0, listed.stderr
    jobs = {j["name"]: j for j in json.loads(listed.stdout)}
    assert {"prune_logs", "purge_check", "stale_report", "warehouse_refresh"} <= set(jobs)
    assert jobs["warehouse_refresh"]["last_status"] == "ok"
    assert jobs["warehouse_refresh"]["schedule"] == "0 5 * * *"
    assert jobs["stale_report"]["schedule"] == "0 6 * * 1"  # on by default, weekly


def test_unknown_or_disabled_job_is_one_line(tmp_path: Path) -> None:
    for job in ("nope", "daily_flow"):  # daily_flow is off unless scheduled
        done = run(["scheduler", "run", job], tmp_path)
        assert done.returncode == 2
        assert done.stderr.strip().splitlines()[-1] == (
            f"error: no enabled job named {job!r} (stravasync scheduler list)"
        )
