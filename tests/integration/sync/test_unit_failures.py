"""One bad unit of work never wedges an athlete nor stops the burst (issue 12, point 1).

Each case makes a unit fail in a way no handler foresaw, in the real engine on real SQLite and
PostgreSQL: an enrich request whose activity id does not fit the database's integer (stored
directly, as the API now refuses it), a full disk under the store, an unreadable webhook event.
The unit must count an attempt, show the error on the athlete (status rows, admin API,
dashboard, metrics), release its lease and follow retry -> dead letter; the burst goes on.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from stravasync.lab import Lab
from stravasync.store.mirror import activities as acts
from stravasync.store.pending import syncstate
from stravasync.store.people.athletes import overview
from stravasync.store.schema import sync_sessions, webhook_events
from stravasync.web.app import create_app
from tests.integration.sync.labs import quiet_lab
from tests.integration.web.conftest import ADMIN, admin_headers

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)
HUGE_ID = 1180591620717411303424  # 2**70: no SQL integer holds it


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Iterator[Lab]:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=8,
        athletes=2,
        history_days=120,
        overrides={"sync_enrich": False, "sync_max_attempts": 3, "admin_token": ADMIN},
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    lab.run_until_idle()  # both histories in; nothing due now
    yield lab
    lab.close()


def _state(lab: Lab, athlete_id: int) -> dict[str, Any]:
    with lab.db.engine.connect() as conn:
        state = syncstate.get_state(conn, athlete_id)
    assert state is not None
    return state


def _request_bad_enrich(lab: Lab, athlete_id: int) -> None:
    with lab.db.transaction() as conn:
        syncstate.request_mode(
            conn, athlete_id, "enrich", lab.clock.now(), options={"activity_ids": [HUGE_ID]}
        )


def test_out_of_range_activity_id_counts_attempts_then_dead_letters(lab: Lab) -> None:
    bad, good = lab.sim.athlete_ids()
    _request_bad_enrich(lab, bad)
    with lab.db.transaction() as conn:
        syncstate.request_mode(conn, good, "refresh", lab.clock.now())

    report = lab.engine.run_until_idle()  # must not raise
    assert report.failed == 1 and report.synced == 1  # the other athlete was not held up
    state = _state(lab, bad)
    assert state["attempts"] == 1 and state["dead"] is False
    assert state["last_error"].startswith("internal error: ")
    assert "INSERT" not in state["last_error"] and "SELECT" not in state["last_error"]
    assert state["lease_owner"] is None  # released, not left to expire
    assert state["due_at"] > lab.clock.now()  # retried with backoff, not at once
    with lab.db.engine.connect() as conn:
        statuses = [
            s
            for (s,) in conn.execute(
                select(sync_sessions.c.status).where(sync_sessions.c.athlete_id == bad)
            )
        ]
        row = next(r for r in overview(conn) if r.athlete_id == bad)
    assert "failed" in statuses and "running" not in statuses
    assert row.last_error == state["last_error"]  # what `stravasync status` prints

    # the policy goes on: attempts 2 and 3 (max), then a dead letter
    for _ in range(2):
        lab.clock.set(_state(lab, bad)["due_at"] + timedelta(seconds=1))
        lab.engine.run_until_idle()
    state = _state(lab, bad)
    assert state["attempts"] == 3 and state["dead"] is True

    app = create_app(lab.settings, lab.db, clock=lab.clock)
    with TestClient(app) as client:
        detail = client.get(f"/api/admin/athletes/{bad}", headers=admin_headers()).json()
        assert detail["sync_state"]["last_error"] == state["last_error"]
        assert detail["sync_state"]["dead"] is True
        metrics = client.get("/metrics").text
        assert 'stravasync_athletes_failing{state="dead"} 1.0' in metrics
        assert 'stravasync_athletes_failing{state="retrying"} 0.0' in metrics

    # a person re-queues it with a sane request: the athlete works again
    with lab.db.transaction() as conn:
        syncstate.request_mode(conn, bad, "enrich", lab.clock.now(), options={"all": True})
    assert lab.engine.run_until_idle().synced == 1
    state = _state(lab, bad)
    assert state["attempts"] == 0 and state["last_error"] is None and state["dead"] is False


def test_disk_full_in_the_store_is_a_failed_attempt(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    athlete = lab.sim.athlete_ids()[0]

    def disk_full(*_a: Any, **_k: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(acts, "apply_summaries", disk_full)
    with lab.db.transaction() as conn:
        syncstate.request_mode(conn, athlete, "refresh", lab.clock.now())
    report = lab.engine.run_until_idle()
    assert report.failed == 1
    state = _state(lab, athlete)
    assert state["attempts"] == 1 and state["lease_owner"] is None
    assert state["last_error"] == "internal error: OSError: [Errno 28] No space left on device"

    monkeypatch.undo()  # space again: the retry succeeds and clears the error
    lab.clock.set(state["due_at"] + timedelta(seconds=1))
    assert lab.engine.run_until_idle().synced >= 1
    assert _state(lab, athlete)["last_error"] is None


def test_a_webhook_event_that_breaks_the_store_is_retried_and_shown(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    athlete = lab.sim.athlete_ids()[0]

    def disk_full(*_a: Any, **_k: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(acts, "athlete_of", disk_full)
    with lab.db.transaction() as conn:
        conn.execute(
            webhook_events.insert().values(
                subscription_id=1,
                object_type="activity",
                object_id=42,
                aspect_type="delete",
                owner_id=athlete,
                event_time=int(lab.clock.now().timestamp()),
                updates_json={},
                received_at=lab.clock.now(),
                state="pending",
                due_at=lab.clock.now(),
                attempts=0,
                dedupe_key="event-on-a-full-disk",
            )
        )
    report = lab.engine.run_until_idle()  # must not raise
    assert report.events == 1
    with lab.db.engine.connect() as conn:
        event = conn.execute(select(webhook_events)).mappings().one()
    assert event["state"] == "pending" and event["attempts"] == 1
    assert event["lease_owner"] is None and event["due_at"] > lab.clock.now()
    assert event["last_error"] == "internal error: OSError: [Errno 28] No space left on device"
    assert _state(lab, athlete)["last_error"] == f"webhook event: {event['last_error']}"
