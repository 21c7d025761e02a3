"""Milestone notifications: off by default; on, each milestone is queued once across re-syncs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from stravasync.stats.service import athlete_stats
from stravasync.store.schema import athlete_stats as athlete_stats_table
from stravasync.store.schema import notifications
from stravasync.sync import mirror
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 11, 4, 9, 7, tzinfo=UTC)


def _milestones(lab: object) -> list[dict[str, object]]:
    with lab.db.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            select(notifications.c.idempotency_key, notifications.c.payload_json).where(
                notifications.c.event == "athlete.milestone"
            )
        ).all()
    return [{"key": k, **p} for k, p in rows]


def test_milestones_are_off_by_default(db_url: str, tmp_path: Path) -> None:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=5,
        athletes=1,
        history_days=400,
        overrides={"notify_url": "http://app.test/hook"},
    )
    try:
        lab.connect(lab.sim.athlete_ids()[0], "read,activity:read_all")
        lab.run_until_idle()
        assert _milestones(lab) == []
    finally:
        lab.close()


def test_milestones_are_queued_once_across_resyncs(db_url: str, tmp_path: Path) -> None:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=5,
        athletes=1,
        history_days=400,
        overrides={
            "notify_url": "http://app.test/hook",
            "notify_milestones": True,
            "milestone_step_km": 100,
        },
    )
    try:
        athlete = lab.sim.athlete_ids()[0]
        lab.connect(athlete, "read,activity:read_all")
        lab.run_until_idle()
        first = _milestones(lab)
        with lab.db.engine.connect() as conn:
            stats = athlete_stats(conn, athlete)
        number = stats["eddington"]["overall"]["km"]["number"]
        assert number > 0
        kinds = {m["kind"] for m in first}
        assert "eddington" in kinds and "yearly_distance" in kinds, first
        assert any(m.get("number") == number for m in first)
        distance = [m for m in first if m["kind"] == "yearly_distance"]
        assert all(m["threshold_km"] % 100 == 0 and m["year"] == 2026 for m in distance)
        assert distance[-1]["distance_km"] >= distance[-1]["threshold_km"]
        # a re-sync that recomputes the same stats queues nothing new
        with lab.db.transaction() as conn:
            conn.execute(notifications.update().values(state="delivered"))
        with lab.db.transaction() as conn:  # the cache gone: the stats are recomputed
            conn.execute(athlete_stats_table.delete())
            mirror.refresh_stats(conn, athlete, lab.clock.now(), lab.engine.cfg)
            assert conn.execute(select(athlete_stats_table)).first() is not None
        lab.run_until_idle()
        assert sorted(m["key"] for m in _milestones(lab)) == sorted(m["key"] for m in first)
    finally:
        lab.close()
