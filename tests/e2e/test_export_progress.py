"""`stravasync export` progress: drawn on a terminal (a pty) for every format, with a total
and an ETA; absent from pipes and under --json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stravasync.store import Database
from stravasync.store.mirror.activities import apply_summaries
from stravasync.store.people.athletes import upsert_athlete
from tests.e2e.simproc import run_cli
from tests.e2e.test_sync_progress import _on_a_pty
from tests.integration.export.seed import NOW, summary

PER_ATHLETE = {1: 2500, 2: 300}  # > one warehouse batch (2000 rows): several progress lines
TOTAL = sum(PER_ATHLETE.values())


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'mirror.db'}"
    db = Database.open(url)
    with db.transaction() as conn:
        for athlete, count in PER_ATHLETE.items():
            upsert_athlete(conn, athlete_id=athlete, profile={}, scopes="read", now=NOW)
            rows = [summary(athlete, athlete * 100_000 + i, 1 + i % 28, 10.0) for i in range(count)]
            apply_summaries(conn, athlete, rows, NOW)
    db.close()
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    return {
        **base,
        "STRAVASYNC_DATABASE_URL": url,
        "STRAVASYNC_KEY_FILE": str(tmp_path / "secret.key"),
        "STRAVASYNC_EXPORT_WAREHOUSE": str(tmp_path / "wh.duckdb"),
    }


@pytest.mark.parametrize(
    ("fmt", "out"),
    [("parquet", "pq"), ("duckdb", "wh.duckdb"), ("jsonl", "a.jsonl"), ("csv", "a.csv")],
)
def test_export_progress_only_on_a_terminal(
    fmt: str, out: str, env: dict[str, str], tmp_path: Path
) -> None:
    args = ["export", "--format", fmt, "--out", str(tmp_path / out)]
    shown = _on_a_pty(args, env, tmp_path)
    assert f"/{TOTAL} activities" in shown, shown  # the COUNT made up front is the total
    assert "export: " in shown and "page(s)" in shown and "ETA " in shown, shown
    if fmt == "duckdb":  # batches of 2000 rows: two reports, the last one complete
        assert f"export: 2 page(s), {TOTAL}/{TOTAL} activities" in shown, shown
    piped = run_cli(args, env, tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert "page(s)" not in piped.stdout + piped.stderr and "ETA" not in piped.stderr
    as_json = _on_a_pty([*args, "--json"], env, tmp_path)
    assert "page(s)" not in as_json and "ETA" not in as_json, as_json
    report = json.loads(as_json.strip().splitlines()[-1])  # nothing but the JSON document
    rows = report.get("activities", report.get("upserted"))
    assert rows == TOTAL or (fmt == "duckdb" and rows == 0), report  # duckdb: nothing new
