"""Durable work controls: cancel, pause, opt-out, block, dead letters and re-queue, log pruning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from stravasync.lab import Lab
from stravasync.store.operator.admin import put_setting
from stravasync.store.pending import parking, syncstate
from stravasync.store.pending.sessions import recent_sessions
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import scheduler_jobs, sync_sessions, sync_state, sync_tallies
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Lab:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=8,
        athletes=3,
        history_days=1500,
        overrides={"sync_enrich": False},
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    return lab


def _state(lab: Lab, athlete_id: int) -> dict[str, object]:
    with lab.db.engine.connect() as conn:
        state = syncstate.get_state(conn, athlete_id)
    assert state is not None
    return state


def test_cancel_between_pages_stops_and_clears_the_request(lab: Lab) -> None:
    athlete = lab.sim.athlete_ids()[0]
    with lab.db.transaction() as conn:
        syncstate.request_cancel(conn, athlete, lab.clock.now())
    report = lab.engine.run_until_idle(athlete_id=athlete)
    assert report.cancelled == 1
    state = _state(lab, athlete)
    assert state["cancel_requested"] is False and state["requested_mode"] is None
    assert state["backfill_done"] is False  # stopped before finishing, resumable
    with lab.db.engine.connect() as conn:
        assert recent_sessions(conn, athlete_id=athlete)[0]["status"] == "cancelled"
    lab.close()


def test_pause_stops_automatic_work_but_not_requests(lab: Lab) -> None:
    a, b = lab.sim.athlete_ids()[:2]
    with lab.db.transaction() as conn:
        put_setting(conn, syncstate.SCHEDULER_PAUSED_KEY, True, now=lab.clock.now())
        syncstate.request_mode(conn, b, "backfill", lab.clock.now())
    lab.run_until_idle()
    assert _state(lab, a)["backfill_done"] is False and _state(lab, a)["last_success_at"] is None
    assert _state(lab, b)["backfill_done"] is True
    with lab.db.transaction() as conn:
        put_setting(conn, syncstate.SCHEDULER_PAUSED_KEY, False, now=lab.clock.now())
    lab.run_until_idle()
    assert _state(lab, a)["backfill_done"] is True
    lab.close()


def test_opt_out_and_block_are_respected(lab: Lab) -> None:
    a, b, c = lab.sim.athlete_ids()
    now = lab.clock.now()
    with lab.db.transaction() as conn:
        athletes_q.set_flags(conn, a, now=now, auto_sync=False)
        athletes_q.set_status(conn, b, "blocked", reason="admin", now=now)
    lab.run_until_idle()
    assert _state(lab, a)["last_success_at"] is None
    assert _state(lab, b)["last_success_at"] is None
    assert _state(lab, c)["backfill_done"] is True
    with lab.db.transaction() as conn:  # an opted-out athlete can still be synced on request
        syncstate.request_mode(conn, a, "backfill", lab.clock.now())
    lab.run_until_idle()
    assert _state(lab, a)["backfill_done"] is True
    lab.close()


def test_failures_back_off_then_dead_letter_then_requeue(lab: Lab) -> None:
    athlete = lab.sim.athlete_ids()[0]
    lab.sim.faults.rate_5xx = 1.0
    for _ in range(12):
        lab.engine.run_until_idle(athlete_id=athlete)
        state = _state(lab, athlete)
        if state["dead"]:
            break
        assert state["last_error"]
        due = state["due_at"]
        assert isinstance(due, datetime) and due > lab.clock.now()  # backoff, not a hot loop
        lab.sim.advance_to(due)
    state = _state(lab, athlete)
    assert state["dead"] is True and "transient Strava failure (5" in str(state["last_error"])
    lab.sim.faults.rate_5xx = 0.0
    lab.engine.run_until_idle(athlete_id=athlete)
    assert _state(lab, athlete)["backfill_done"] is False  # dead letters wait for a person
    with lab.db.transaction() as conn:
        syncstate.request_mode(conn, athlete, "backfill", lab.clock.now())
    lab.engine.run_until_idle(athlete_id=athlete)
    state = _state(lab, athlete)
    assert state["backfill_done"] is True and state["dead"] is False and state["attempts"] == 0
    lab.close()


def test_periodic_prune_removes_old_sessions(lab: Lab) -> None:
    lab.run_until_idle()
    with lab.db.engine.connect() as conn:
        sessions = conn.execute(select(func.count()).select_from(sync_sessions)).scalar_one()
        jobs = {r.name for r in conn.execute(select(scheduler_jobs.c.name))}
    assert sessions > 0
    assert {"prune_logs", "purge_check", "recount_unparked"} <= jobs
    with lab.db.transaction() as conn:  # park the athletes so only the periodic job runs
        conn.execute(update(sync_state).values(due_at=START + timedelta(days=30)))
        counted = parking.unparked_count(conn)
        conn.execute(update(sync_tallies).values(value=counted + 999))  # a skewed tally
    lab.sim.advance_to(START + timedelta(days=8))
    with lab.db.transaction() as conn:
        conn.execute(update(scheduler_jobs).values(next_run_at=lab.clock.now()))
    lab.run_until_idle()
    with lab.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sync_sessions)).scalar_one() == 0
        assert counted > 0 and parking.unparked_count(conn) == counted  # recounted
    lab.close()


def test_details_wait_until_every_history_is_complete(db_url: str, tmp_path: Path) -> None:
    lab = quiet_lab(db_url, tmp_path, start=START, seed=8, athletes=3, history_days=200)
    a, b = sorted(lab.sim.athlete_ids(), key=lambda x: -len(lab.sim.truth(x)))[:2]
    lab.connect(a)
    lab.connect(b)

    def details() -> int:
        return sum(lab.sim.stats()["requests"].get("GET /api/v3/activities/{id}", {}).values())

    lab.engine.run_until_idle(athlete_id=a)  # a's history is complete, b's is not
    assert _state(lab, a)["backfill_done"] is True and _state(lab, a)["enrich_pending"] is True
    lab.sim.advance_to(lab.clock.now() + timedelta(minutes=20))
    lab.engine.run_until_idle(athlete_id=a)
    assert details() == 0  # a's details wait while b's history is owed
    lab.run_until_idle()  # b's backfill first, then the details
    lab.sim.advance_to(lab.clock.now() + timedelta(minutes=20))
    lab.run_until_idle()
    assert _state(lab, b)["backfill_done"] is True
    assert details() > 0 and _state(lab, a)["enrich_pending"] is False
    lab.close()
