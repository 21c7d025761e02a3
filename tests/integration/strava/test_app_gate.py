"""The app-level state in the database, on SQLite and PostgreSQL: many callers (threads with
their own connections, as processes would be) trip it at once and it is recorded once, with one
notification; before the probe time nothing passes; at the probe time exactly one caller probes;
a successful probe clears it with one ``app.resumed``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.operator import appstate as state_q
from stravasync.store.schema import notifications
from stravasync.strava.appstate import AppGate
from stravasync.strava.errors import ApplicationInactive, AppSuspended, InvalidClient

NOW = datetime(2026, 6, 1, 10, 7, tzinfo=UTC)


def _together(n: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = work(i)
        except Exception as exc:  # collected: the test asserts on them
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


def _events(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return list(
            conn.execute(select(notifications.c.event).order_by(notifications.c.id)).scalars()
        )


def test_trip_once_probe_once_clear_once(db: Database) -> None:
    gates = [AppGate(db, notify=True) for _ in range(6)]
    tripped = _together(6, lambda i: gates[i].trip(ApplicationInactive("Forbidden"), NOW))
    assert all(isinstance(t, AppSuspended) for t in tripped), tripped
    assert _events(db) == ["app.suspended"]
    with db.engine.connect() as conn:
        state = state_q.get(conn)
    assert state is not None and state.condition == "application_inactive"
    assert state.next_probe_at == NOW + timedelta(minutes=1)
    # in plain words: what it is (the owner's subscription or the app's status) and where to act
    assert "the app owner's Strava subscription or the app's status" in state.reason
    assert "strava.com/settings/api" in state.reason and "(Strava: Forbidden)" in state.reason

    probes: list[int] = []

    def never() -> None:
        probes.append(1)
        raise AssertionError("no probe before its time")

    with pytest.raises(AppSuspended) as refused:
        gates[0].admit(NOW + timedelta(seconds=30), never)
    assert refused.value.retry_at == NOW + timedelta(minutes=1) and probes == []

    # at the probe time, six callers at once: one probes (and fails), the others wait
    def failing() -> None:
        probes.append(1)
        raise ApplicationInactive("Forbidden")

    due = NOW + timedelta(minutes=1, seconds=5)
    results = _together(6, lambda i: gates[i].admit(due, failing))
    assert len(probes) == 1
    assert all(isinstance(r, AppSuspended) for r in results), results
    assert {r.retry_at for r in results} == {due + timedelta(minutes=2)}
    assert _events(db) == ["app.suspended"]  # a failed probe tells nobody again

    # the next probe succeeds: cleared once, and every caller passes
    ok: list[int] = []
    later = due + timedelta(minutes=2)
    results = _together(6, lambda i: gates[i].admit(later, lambda: ok.append(1)))
    assert len(ok) == 1
    assert sum(1 for r in results if r is None) >= 1
    assert gates[0].current() is None
    assert gates[1].admit(later, never) is None  # no state: no probe, passes
    assert _events(db) == ["app.suspended", "app.resumed"]


def test_a_probe_revealing_another_condition_switches_and_tells(db: Database) -> None:
    gate = AppGate(db, notify=True)
    gate.trip(ApplicationInactive("Forbidden"), NOW)

    def secret_revoked() -> None:
        raise InvalidClient()

    with pytest.raises(AppSuspended) as exc:
        gate.admit(NOW + timedelta(minutes=2), secret_revoked)
    assert exc.value.condition == "invalid_client"
    current = gate.current()
    assert current is not None and current.condition == "invalid_client"
    assert "STRAVASYNC_CLIENT_SECRET" in current.reason
    assert _events(db) == ["app.suspended", "app.suspended"]


def test_without_notify_url_no_notification_is_written(db: Database) -> None:
    gate = AppGate(db, notify=False)
    gate.trip(InvalidClient(), NOW)
    assert gate.clear(NOW + timedelta(minutes=5)) is True
    assert gate.clear(NOW + timedelta(minutes=6)) is False
    assert _events(db) == []
