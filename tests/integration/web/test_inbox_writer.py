"""Group commit of webhook events: many requests, one transaction, no acknowledged event lost."""

from __future__ import annotations

import asyncio

from fastapi.testclient import TestClient

from stravasync.config import load_settings
from stravasync.store import Database, inbox
from stravasync.web.app import create_app
from stravasync.web.inbox_writer import InboxWriter
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
