"""Export and warehouse runs recorded as sessions with stage timings: from the CLI, from the
clock job, in /metrics' stage histogram and on the dashboard."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from stravasync.cli import app
from stravasync.clock import utcnow
from stravasync.export.runs import recorded
from stravasync.store import Database
from stravasync.store.pending import sessions as session_q
from stravasync.store.schema import sync_logs, sync_sessions
from stravasync.web.metrics import StoreCollector
from tests.integration.export.seed import seed_mirror

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = Database.open(db_url, upgrade=False)
    seed_mirror(db)
    db.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STRAVASYNC_DATABASE_URL", db_url)
    monkeypatch.setenv("STRAVASYNC_EXPORT_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    return tmp_path


def runs(db_url: str) -> list[dict[str, Any]]:
    db = Database.open(db_url, upgrade=False)
    try:
        with db.engine.connect() as conn:
            return session_q.recent_runs(conn, modes=("export", "warehouse"), limit=50)
    finally:
        db.close()


def test_each_cli_export_is_a_session_with_its_stages(env: Path, db_url: str) -> None:
    for fmt, out in (("jsonl", "a.jsonl"), ("parquet", "pq"), ("duckdb", "wh.duckdb")):
        res = runner.invoke(app, ["export", "--format", fmt, "--out", out])
        assert res.exit_code == 0, res.output
    found = {r["summary_json"]["format"]: r for r in runs(db_url)}
    assert set(found) == {"jsonl", "parquet", "duckdb"}
    for fmt, row in found.items():
        assert row["athlete_id"] is None and row["trigger"] == "cli" and row["status"] == "done"
        assert row["mode"] == ("warehouse" if fmt == "duckdb" else "export")
        stages = row["summary_json"]["stage_seconds"]
        assert {"query", "write"} <= set(stages) and all(v >= 0 for v in stages.values())
        # the stages add up to the run's duration (write is the remainder)
        assert sum(stages.values()) == pytest.approx(row["summary_json"]["seconds"], abs=1e-3)
    assert "views" in found["duckdb"]["summary_json"]["stage_seconds"]
    assert found["jsonl"]["summary_json"]["rows"] == {"activities": 3}
    assert found["parquet"]["summary_json"]["rows"]["activities"] == 3
    assert found["duckdb"]["summary_json"]["rows"]["upserted"] == 3
    families = list(StoreCollector(Database.open(db_url, upgrade=False), utcnow).collect())
    hist = next(f for f in families if f.name == "stravasync_sync_stage_seconds")
    labels = {(s.labels["mode"], s.labels["stage"]) for s in hist.samples if "mode" in s.labels}
    assert {("warehouse", "views"), ("export", "query"), ("export", "write")} <= labels


def test_export_json_report_and_no_json_with_stdout(env: Path) -> None:
    res = runner.invoke(app, ["export", "--format", "csv", "--out", "a.csv", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"format": "csv", "activities": 3, "gear": 1, "out": "a.csv"}
    res = runner.invoke(app, ["export", "--format", "jsonl", "--out", "-", "--json"])
    assert res.exit_code != 0 and "--json cannot be used with --out -" in res.output


def test_a_failed_run_is_recorded_and_the_error_goes_on(db_url: str) -> None:
    db = Database.open(db_url)
    times = iter([datetime(2026, 5, 4, 9, 0, tzinfo=UTC), datetime(2026, 5, 4, 9, 1, tzinfo=UTC)])
    summary: dict[str, Any] = {"format": "duckdb"}
    try:
        with (
            pytest.raises(OSError, match="disk full"),
            recorded(
                db, mode="warehouse", trigger="schedule", now=lambda: next(times), summary=summary
            ),
        ):
            raise OSError("disk full")
        with db.engine.connect() as conn:
            row = conn.execute(select(sync_sessions)).mappings().one()
            line = conn.execute(select(sync_logs.c.level, sync_logs.c.message)).one()
    finally:
        db.close()
    assert row["status"] == "failed" and row["trigger"] == "schedule"
    assert row["finished_at"] == datetime(2026, 5, 4, 9, 1, tzinfo=UTC)
    assert row["summary_json"]["error"] == "OSError: disk full"
    assert line.level == "error" and "warehouse failed" in line.message
