"""Malformed responses, 5xx storms and timeouts never corrupt or lose a row; errors are visible
in the athlete's state; once Strava behaves again the next runs recover exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.store.mirror import activities as acts
from stravasync.store.pending import syncstate
from stravasync.store.schema import sync_state

START = datetime(2026, 4, 6, 7, 3, tzinfo=UTC)


def _snapshot(lab: Lab) -> dict[int, dict[int, dict[str, object]]]:
    with lab.db.engine.connect() as conn:
        return {a: acts.live_summaries(conn, a) for a in lab.connected}


def test_fault_storm_keeps_rows_and_recovers(db_url: str, tmp_path: Path) -> None:
    lab = Lab(
        db_url=db_url,
        sim_config=SimConfig(
            seed=5,
            athletes=5,
            history_days=90,
            quota="default",
            late_connect_fraction=0.0,
            heavy_fraction=0.0,
        ),
        start=START,
        work_dir=tmp_path,
        overrides={"http_max_retries": 1},
    )
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)
        lab.run_until_idle()
        assert all(d.exact for d in lab.diff())
        before = _snapshot(lab)

        # the storm: broken JSON, server errors and hung responses on most requests
        lab.sim.faults.malformed_rate = 0.4
        lab.sim.faults.rate_5xx = 0.4
        lab.sim.faults.hang_rate = 0.15
        lab.sim.faults.hang_seconds = 30.0
        with lab.db.transaction() as conn:
            for athlete_id in lab.connected:
                syncstate.request_mode(conn, athlete_id, "reconcile", lab.clock.now())
        lab.run_until_idle()

        during = _snapshot(lab)
        for athlete_id, rows in before.items():
            # nothing lost, nothing half-written: every stored row is still a complete summary
            assert set(rows) <= set(during[athlete_id])
            for act_id, summary in during[athlete_id].items():
                assert summary.get("id") == act_id and "start_date" in summary
        with lab.db.engine.connect() as conn:
            errors = [r.last_error for r in conn.execute(select(sync_state.c.last_error))]
        assert any(e for e in errors), "the failures must be visible in the athletes' state"

        # Strava recovers: the retries (backoff) and the next passes converge exactly
        lab.sim.faults.malformed_rate = 0.0
        lab.sim.faults.rate_5xx = 0.0
        lab.sim.faults.hang_rate = 0.0
        lab.advance(6 * 3600, step=300)
        with lab.db.transaction() as conn:
            for athlete_id in lab.connected:
                syncstate.request_mode(conn, athlete_id, "reconcile", lab.clock.now())
        lab.run_until_idle()
        for diff in lab.diff():
            assert diff.exact, diff
        with lab.db.engine.connect() as conn:
            dead = conn.execute(select(sync_state.c.dead)).scalars().all()
        assert not any(dead)
        assert lab.sim.stats()["rate_limited"] == 0
    finally:
        lab.close()
