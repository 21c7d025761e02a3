"""What a crashed process leaves behind is put right by the next pass (issue 12, points 2-4).

The kills themselves are real in tests/e2e/test_crash_resume.py and test_lease_takeover.py;
here the engine meets the rows a killed process leaves (a lease it never released, a session
still ``running``, a count it never wrote) on real SQLite and PostgreSQL, in virtual time.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from stravasync.lab import Lab
from stravasync.store.pending import sessions as sessions_q
from stravasync.store.pending import syncstate
from stravasync.store.schema import activities, sync_sessions, sync_state
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)
ONE_BEFORE_RESET = datetime(2026, 5, 4, 9, 14, 59, tzinfo=UTC)


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Iterator[Lab]:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=6,
        athletes=2,
        history_days=1500,
        overrides={"sync_enrich": False},
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    yield lab
    lab.close()


def _state(lab: Lab, athlete_id: int) -> dict[str, Any]:
    with lab.db.engine.connect() as conn:
        state = syncstate.get_state(conn, athlete_id)
    assert state is not None
    return state


def _live(lab: Lab, athlete_id: int) -> int:
    with lab.db.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).where(
                    activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None)
                )
            ).scalar_one()
        )


def _killed_mid_pass(lab: Lab, athlete_id: int, owner: str, *, expired: bool) -> str:
    """The rows a process killed in the middle of a pass leaves: its lease, its session."""
    now = lab.clock.now()
    with lab.db.transaction() as conn:
        until = now - timedelta(seconds=1) if expired else now + timedelta(seconds=20)
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == athlete_id)
            .values(lease_owner=owner, lease_expires_at=until, activity_count=0, due_at=now)
        )
        return sessions_q.start_session(
            conn, athlete_id=athlete_id, mode="refresh", trigger="cli", now=now
        )


def _session_status(lab: Lab, session_id: str) -> str:
    with lab.db.engine.connect() as conn:
        return str(
            conn.execute(
                select(sync_sessions.c.status).where(sync_sessions.c.id == session_id)
            ).scalar_one()
        )


def test_the_pass_after_a_crash_recounts_and_closes_the_dead_session(lab: Lab) -> None:
    athlete = lab.sim.athlete_ids()[0]
    lab.run_until_idle()
    assert _state(lab, athlete)["backfill_done"] is True
    stored = _live(lab, athlete)
    assert stored > 200
    dead = _killed_mid_pass(lab, athlete, "elsewhere:4242:abc", expired=True)
    with lab.db.transaction() as conn:
        syncstate.request_mode(conn, athlete, "refresh", lab.clock.now())

    report = lab.engine.run_until_idle(athlete_id=athlete)  # a refresh that changes nothing
    assert report.synced == 1
    assert _state(lab, athlete)["activity_count"] == stored  # recounted all the same
    assert _session_status(lab, dead) == "interrupted"


def test_a_dead_local_process_leases_are_released_at_start(lab: Lab) -> None:
    from stravasync.sync.recovery import release_dead_local  # new with issue 12

    athlete, other = lab.sim.athlete_ids()
    lab.run_until_idle()
    host = socket.gethostname()
    mine_alive = f"{host}:{os.getpid()}:live01"  # this very process: alive, kept
    gone = f"{host}:999999999:dead01"  # no such pid
    dead_session = _killed_mid_pass(lab, athlete, gone, expired=False)
    live_session = _killed_mid_pass(lab, other, mine_alive, expired=False)

    released = release_dead_local(lab.db, lab.clock.now())
    assert released == {"sync_state": 1, "interrupted sessions": 1}
    assert _state(lab, athlete)["lease_owner"] is None
    assert _state(lab, other)["lease_owner"] == mine_alive
    assert _session_status(lab, dead_session) == "interrupted"
    assert _session_status(lab, live_session) == "running"


def test_interrupted_sessions_are_pruned_like_the_others(lab: Lab) -> None:
    athlete = lab.sim.athlete_ids()[0]
    old = _killed_mid_pass(lab, athlete, "elsewhere:1:gone", expired=True)
    lab.clock.advance(8 * 86400)
    with lab.db.transaction() as conn:
        sessions_q.prune(conn, now=lab.clock.now(), keep_days=7)
        left = conn.execute(select(sync_sessions.c.id).where(sync_sessions.c.id == old)).all()
    assert left == []


def test_until_idle_waits_out_the_guard_one_second_before_a_reset(
    db_url: str, tmp_path: Path
) -> None:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=ONE_BEFORE_RESET - timedelta(seconds=30),
        seed=6,
        athletes=2,
        history_days=1500,
        overrides={"sync_enrich": False},
    )
    athlete = lab.sim.athlete_ids()[0]
    lab.connect(athlete)
    lab.clock.set(ONE_BEFORE_RESET)
    # at 09:14:59 the budget's guard refuses every request until 09:15:01
    first = lab.engine.run_until_idle()
    assert first.deferred >= 1 and _state(lab, athlete)["backfill_done"] is False
    report = lab.engine.run_until_idle(wait=60)
    assert _state(lab, athlete)["backfill_done"] is True, report
    assert lab.clock.now() > ONE_BEFORE_RESET + timedelta(seconds=2)
    assert _state(lab, athlete)["activity_count"] == _live(lab, athlete) > 200
    lab.close()


def test_once_at_a_reset_still_syncs_once(db_url: str, tmp_path: Path) -> None:
    """``sync --once`` (one unit, a short wait) one second before a reset: the guard's deferral
    is not the unit; the pass runs once the reset is past."""
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=ONE_BEFORE_RESET - timedelta(seconds=30),
        seed=6,
        athletes=2,
        history_days=30,
        overrides={"sync_enrich": False},
    )
    try:
        athlete = lab.sim.athlete_ids()[0]
        lab.connect(athlete)
        lab.clock.set(ONE_BEFORE_RESET)
        report = lab.engine.run_until_idle(athlete_id=athlete, max_units=1, wait=5)
        assert report.deferred >= 1 and report.synced == 1, report
        assert _state(lab, athlete)["backfill_done"] is True
        assert lab.clock.now() > ONE_BEFORE_RESET + timedelta(seconds=1)
        # without a wait nothing is left due before the horizon: the deferral ends the run
        lab.clock.set(ONE_BEFORE_RESET + timedelta(minutes=15))
        with lab.db.transaction() as conn:
            syncstate.request_mode(conn, athlete, "incremental", lab.clock.now())
        idle = lab.engine.run_until_idle(athlete_id=athlete, max_units=1)
        assert idle.synced == 0 and idle.deferred >= 1, idle
    finally:
        lab.close()
