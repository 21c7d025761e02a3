"""Group commit of webhook events: many requests, one transaction, no acknowledged event lost."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.store.pending import inbox
from stravasync.store.schema import webhook_events
from stravasync.web.app import create_app
from stravasync.web.intake.inbox_writer import EventRefused, InboxWriter
from tests.integration.web.conftest import START, SUBSCRIPTION, subscribe


def ev(object_id: int, subscription: int = SUBSCRIPTION) -> inbox.InboxEvent:
    return inbox.InboxEvent("activity", object_id, "create", 5, subscription, 1000 + object_id, {})


def test_concurrent_events_commit_together_with_dedupe(db: Database) -> None:
    subscribe(db)
    writer = InboxWriter(db, lambda: START)

    async def go() -> list[str]:
        events = [ev(i % 30) for i in range(60)] + [ev(99, subscription=1)]
        return list(await asyncio.gather(*(writer.submit(e) for e in events)))

    outcomes = asyncio.run(go())
    assert outcomes[:30] == ["stored"] * 30
    assert outcomes[30:60] == ["duplicate"] * 30
    assert outcomes[60] == "ignored"
    with db.engine.connect() as conn:
        assert inbox.count(conn) == 30


def test_a_failed_write_answers_503_so_strava_retries(empty_db_url: str) -> None:
    db = Database.open(empty_db_url, upgrade=False)  # no tables: every write fails
    try:
        app = create_app(load_settings(database_url=empty_db_url), db)
        with TestClient(app) as client:
            body = {
                "object_type": "activity",
                "object_id": 1,
                "aspect_type": "create",
                "owner_id": 2,
                "subscription_id": SUBSCRIPTION,
                "event_time": 3,
                "updates": {},
            }
            resp = client.post("/webhooks/strava", json=body)
            assert resp.status_code == 503
            assert resp.json()["error"] == "unavailable"
    finally:
        db.close()


def test_an_event_the_database_refuses_fails_alone(db: Database) -> None:
    """Past the receiver's validation nothing should be refused; if something is (here an id
    past BIGINT, written straight to the writer), its batch is written again event by event."""
    subscribe(db)
    writer = InboxWriter(db, lambda: START)
    bad = inbox.InboxEvent("activity", 2**64, "create", 5, SUBSCRIPTION, 7, {})

    async def go() -> list[object]:
        events = [ev(i) for i in range(145)] + [bad] + [ev(i) for i in range(145, 290)]
        return list(
            await asyncio.gather(*(writer.submit(e) for e in events), return_exceptions=True)
        )

    outcomes = asyncio.run(go())
    refused = outcomes.pop(145)
    assert isinstance(refused, EventRefused)
    assert outcomes == ["stored"] * 290
    with db.engine.connect() as conn:
        assert inbox.count(conn) == 290
        stored = set(conn.execute(select(webhook_events.c.object_id)).scalars())
    assert stored == set(range(290))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_held_sqlite_write_lock_makes_the_writer_wait_not_fail(db: Database) -> None:
    """The writer first tries without waiting (on the event loop); while another writer holds
    the lock it writes from a thread that waits its turn."""
    subscribe(db)
    writer = InboxWriter(db, lambda: START)
    holder = db.engine.connect()
    holder.begin()  # BEGIN IMMEDIATE: the write lock
    holder.exec_driver_sql("UPDATE app_settings SET updated_at = updated_at")
    released = threading.Event()

    def release() -> None:
        released.wait()
        holder.rollback()
        holder.close()

    thread = threading.Thread(target=release)
    thread.start()

    async def go() -> list[str]:
        pending = asyncio.gather(*(writer.submit(ev(i)) for i in range(20)))
        await asyncio.sleep(0.2)
        with db.snapshot() as conn:  # a reader: never waits for the lock
            assert inbox.count(conn) == 0  # nothing got past it
        released.set()
        return list(await pending)

    assert asyncio.run(go()) == ["stored"] * 20
    thread.join()
    with db.engine.connect() as conn:
        assert inbox.count(conn) == 20
