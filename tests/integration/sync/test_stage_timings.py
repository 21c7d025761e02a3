"""Stage timings on the session row (summary_json.stage_seconds) and in /metrics' histogram."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from stravasync.store.schema import sync_sessions
from stravasync.web.metrics import StoreCollector
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 7, tzinfo=UTC)


def test_a_pass_records_its_stages_and_metrics_show_them(db_url: str, tmp_path: Path) -> None:
    lab = quiet_lab(db_url, tmp_path, start=START, seed=11, athletes=1, history_days=400)
    try:
        athlete = lab.sim.athlete_ids()[0]
        lab.connect(athlete, "read,activity:read_all")
        lab.run_until_idle()
        with lab.db.engine.connect() as conn:
            rows = conn.execute(
                select(sync_sessions.c.mode, sync_sessions.c.summary_json).where(
                    sync_sessions.c.status == "synced"
                )
            ).all()
        backfill = [s for m, s in rows if m == "backfill"]
        assert backfill, rows
        stages = backfill[0]["stage_seconds"]
        assert {"listing", "store", "stats"} <= set(stages), stages
        assert all(v >= 0 for v in stages.values()) and stages["listing"] > 0
        families = list(StoreCollector(lab.db, lab.clock.now).collect())
    finally:
        lab.close()
    hist = next(f for f in families if f.name == "stravasync_sync_stage_seconds")
    labels = {(s.labels["mode"], s.labels["stage"]) for s in hist.samples if "mode" in s.labels}
    assert ("backfill", "listing") in labels and ("backfill", "store") in labels
