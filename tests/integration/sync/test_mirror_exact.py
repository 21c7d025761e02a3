"""End to end in virtual time: the mirror equals the simulator's truth, field by field.

The world has late uploads, silent edits, deletions, lost webhook events and a deauthorization.
The engine runs with its defaults (webhooks on, polling as a safety net); at the end an operator's
reconcile runs at a frozen moment, and the mirror must then equal the truth exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.store.pending import syncstate
from stravasync.store.people.athletes import get_athlete
from stravasync.store.schema import activities, sync_sessions

START = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)


def test_mirror_converges_exactly_with_zero_429(db_url: str, tmp_path: Path) -> None:
    lab = Lab(
        db_url=db_url,
        sim_config=SimConfig(
            seed=21,
            athletes=30,
            history_days=60,
            quota="default",
            webhook_loss=0.3,
            churn=6.0,
            late_connect_fraction=0.0,
            heavy_fraction=0.0,
        ),
        start=START,
        work_dir=tmp_path,
        overrides={"sync_purge_grace_days": 0.25},
    )
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)
        lab.run_until_idle()
        lab.advance(86400, step=120)
        leaver = lab.sim.athlete_ids()[-1]
        lab.sim.deauthorize_athlete(leaver)
        lab.advance(86400, step=120)

        stats = lab.sim.stats()
        kinds = {c.kind for c in lab.sim.changes()}
        # the scenario really contains what it claims to
        assert {"create", "update", "delete"} <= kinds, kinds
        assert stats["webhooks"]["dropped"] > 0
        assert any(not c.webhook for c in lab.sim.changes() if c.kind == "update")

        # an operator's reconcile at a frozen moment; then the mirror is exact
        with lab.db.transaction() as conn:
            for athlete_id in lab.connected:
                syncstate.request_mode(conn, athlete_id, "reconcile", lab.clock.now())
        lab.run_until_idle()
        diffs = lab.diff()
        assert len(diffs) == len(lab.sim.athlete_ids()) - 1
        for diff in diffs:
            assert diff.missing == [], diff
            assert diff.zombies == [], diff
            assert diff.stale == {}, diff
        assert lab.sim.stats()["rate_limited"] == 0

        with lab.db.engine.connect() as conn:
            assert get_athlete(conn, leaver) is None  # purged, the athlete row included
            left = conn.execute(
                select(func.count()).where(activities.c.athlete_id == leaver)
            ).scalar_one()
            failed = conn.execute(
                select(func.count()).where(sync_sessions.c.status == "failed")
            ).scalar_one()
        assert left == 0  # purged after the grace period (tests/integration/sync/test_purge.py)
        assert failed == 0
    finally:
        lab.close()
