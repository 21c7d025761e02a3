"""Outbox delivery over real HTTP: signed, idempotent, retried with backoff, then dead-lettered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from stravasync.clock import VirtualClock, to_epoch
from stravasync.notify.policy import RetryPolicy
from stravasync.notify.signing import verify
from stravasync.notify.worker import Deliverer
from stravasync.store import Database
from stravasync.store.pending import outbox
from stravasync.store.schema import notifications
from tests.e2e.web_helpers import Receiver

SECRET = b"notify-secret-test"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def make(db: Database, receiver: Receiver, clock: VirtualClock, **kw: Any) -> Deliverer:
    return Deliverer(db=db, url=receiver.url, secret=SECRET, clock=clock, owner="t1", **kw)


def enqueue(db: Database, n: int = 1) -> list[str]:
    with db.transaction() as conn:
        return [
            outbox.enqueue(
                conn,
                event="activity.created",
                athlete_id=7,
                activity_id=100 + i,
                payload={"activity_id": 100 + i},
                now=START,
            )
            for i in range(n)
        ]


def rows(db: Database) -> list[dict[str, Any]]:
    with db.engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(select(notifications).order_by(notifications.c.id)).mappings()
        ]


def test_delivered_signed_with_idempotency_key(db: Database, receiver: Receiver) -> None:
    clock = VirtualClock(START)
    keys = enqueue(db, 2)
    report = make(db, receiver, clock).deliver_due()
    assert report.delivered == 2
    assert [r["state"] for r in rows(db)] == ["delivered", "delivered"]
    for got, key in zip(receiver.received, keys, strict=True):
        h = got["headers"]
        assert h["X-Stravasync-Idempotency-Key"] == key
        assert verify(
            SECRET,
            timestamp_header=h["X-Stravasync-Timestamp"],
            signature_header=h["X-Stravasync-Signature"],
            body=got["body"],
            now=to_epoch(START),
        )
        doc = json.loads(got["body"])
        assert doc["id"] == key
        assert doc["event"] == "activity.created"
    # nothing left: a second pass sends nothing
    assert make(db, receiver, clock).deliver_due().delivered == 0
    assert len(receiver.received) == 2


def test_failures_retry_with_backoff_then_dead_letter(db: Database, receiver: Receiver) -> None:
    clock = VirtualClock(START)
    enqueue(db)
    receiver.statuses = [500, 503, 502]
    d = make(db, receiver, clock, policy=RetryPolicy(max_attempts=3, base=60, cap=600))
    assert d.deliver_due().retried == 1
    row = rows(db)[0]
    assert (row["state"], row["attempts"], row["last_status"]) == ("pending", 1, 500)
    assert row["due_at"] > START
    assert d.deliver_due().retried == 0  # not due yet
    clock.set(row["due_at"])
    assert d.deliver_due().retried == 1
    clock.set(rows(db)[0]["due_at"])
    assert d.deliver_due().dead == 1
    row = rows(db)[0]
    assert (row["state"], row["attempts"]) == ("dead", 3)
    assert "502" in row["last_error"]
    # the same idempotency key on every attempt
    assert len({r["headers"]["X-Stravasync-Idempotency-Key"] for r in receiver.received}) == 1
    # re-queued from the dead letters, it is delivered
    with db.transaction() as conn:
        assert outbox.requeue(conn, row["id"], now=clock.now())
    assert d.deliver_due().delivered == 1
    assert rows(db)[0]["state"] == "delivered"


def test_unreachable_receiver_is_retried(db: Database) -> None:
    clock = VirtualClock(START)
    enqueue(db)
    d = Deliverer(
        db=db, url="http://127.0.0.1:9/none", secret=SECRET, clock=clock, owner="t", timeout=2
    )
    assert d.deliver_due().retried == 1
    assert rows(db)[0]["last_error"] == "ConnectError"


def test_a_held_deliverer_claims_nothing_until_released(db: Database, receiver: Receiver) -> None:
    """While its process's clock disagrees with the database's (issue 25), the notifier leases
    no outbox row: a skewed clock would take another process's delivery."""
    import threading

    enqueue(db, 1)
    holding = threading.Event()
    holding.set()
    stop = threading.Event()
    deliverer = make(db, receiver, VirtualClock(START))
    thread = threading.Thread(
        target=deliverer.run, args=(stop,), kwargs={"idle_seconds": 0.05, "held": holding.is_set}
    )
    thread.start()
    try:
        threading.Event().wait(0.5)
        assert [(r["state"], r["lease_owner"]) for r in rows(db)] == [("pending", None)]
        holding.clear()
        for _ in range(100):
            if rows(db)[0]["state"] == "delivered":
                break
            threading.Event().wait(0.05)
        assert rows(db)[0]["state"] == "delivered"
    finally:
        stop.set()
        thread.join(timeout=10)
