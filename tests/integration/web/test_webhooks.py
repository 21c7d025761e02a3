"""The webhook receiver: validation handshake, inbox writes, dedupe; bad input stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.schema import webhook_events
from tests.integration.web.conftest import SUBSCRIPTION, VERIFY, subscribe


def event(**over: Any) -> dict[str, Any]:
    base = {
        "object_type": "activity",
        "object_id": 1001,
        "aspect_type": "create",
        "owner_id": 77,
        "subscription_id": SUBSCRIPTION,
        "event_time": 1_772_000_000,
        "updates": {},
    }
    base.update(over)
    return base


def inbox_rows(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(webhook_events)).scalar_one())


def test_challenge_echoed_only_with_the_right_verify_token(client: TestClient) -> None:
    ok = client.get(
        "/webhooks/strava",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "abc123"},
    )
    assert ok.status_code == 200
    assert ok.json() == {"hub.challenge": "abc123"}
    for token in ("wrong", VERIFY + "x", ""):
        bad = client.get(
            "/webhooks/strava",
            params={"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "abc"},
        )
        assert bad.status_code == 403
        assert "abc" not in bad.text


def test_event_is_committed_and_redelivery_is_deduplicated(
    client: TestClient, db: Database
) -> None:
    subscribe(db)
    first = client.post("/webhooks/strava", json=event())
    assert first.status_code == 200
    assert first.json() == {"status": "received"}
    again = client.post("/webhooks/strava", json=event())
    assert (again.status_code, again.json()) == (200, {"status": "received"})
    other = client.post(
        "/webhooks/strava", json=event(aspect_type="update", updates={"title": "x"})
    )
    assert other.json() == {"status": "received"}
    assert inbox_rows(db) == 2
    metrics = client.get("/metrics").text
    assert 'stravasync_webhook_events_received_total{outcome="accepted"} 3.0' in metrics
    with db.engine.connect() as conn:
        row = conn.execute(select(webhook_events).order_by(webhook_events.c.id)).mappings().first()
    assert row is not None
    assert (row["object_id"], row["owner_id"], row["state"]) == (1001, 77, "pending")


def webhook_counters(client: TestClient) -> list[str]:
    return [
        line
        for line in client.get("/metrics").text.splitlines()
        if line.startswith("stravasync_webhook_events_received_total")
    ]


def test_unknown_subscription_is_answered_and_counted_as_any_event_but_ignored(
    client: TestClient, db: Database
) -> None:
    subscribe(db)
    ours = client.post("/webhooks/strava", json=event())
    after_ours = webhook_counters(client)
    resp = client.post("/webhooks/strava", json=event(subscription_id=SUBSCRIPTION + 1))
    # same status, body and headers as a stored event: trying ids reveals nothing
    assert (resp.status_code, resp.content) == (ours.status_code, ours.content)
    assert dict(resp.headers) == dict(ours.headers)
    assert inbox_rows(db) == 1
    # nor does /metrics: the right id and a wrong one move the same counter by one
    after_wrong = webhook_counters(client)
    assert after_ours == ['stravasync_webhook_events_received_total{outcome="accepted"} 1.0']
    assert after_wrong == ['stravasync_webhook_events_received_total{outcome="accepted"} 2.0']


def test_only_strava_update_keys_of_a_body_are_stored(client: TestClient, db: Database) -> None:
    subscribe(db)
    padding = {f"k{i}": "x" * 1000 for i in range(14)}
    body = event(aspect_type="update", updates={"title": "t" * 1000, "private": "true", **padding})
    assert client.post("/webhooks/strava", json=body).status_code == 200
    with db.engine.connect() as conn:
        stored = conn.execute(select(webhook_events.c.updates_json)).scalar_one()
    assert stored == {"title": "t" * 255, "private": "true"}


BAD_BODIES: list[tuple[str, bytes]] = [
    ("invalid json", b'{"object_type": "activity",'),
    ("not an object", b"[1, 2, 3]"),
    ("empty", b""),
    ("missing field", json.dumps({k: v for k, v in event().items() if k != "owner_id"}).encode()),
    ("string id", json.dumps(event(object_id="1001")).encode()),
    ("float id", json.dumps(event(object_id=1.5)).encode()),
    ("bool id", json.dumps(event(owner_id=True)).encode()),
    ("unknown aspect", json.dumps(event(aspect_type="explode")).encode()),
    ("unknown object", json.dumps(event(object_type="segment")).encode()),
    ("negative id", json.dumps(event(object_id=-5)).encode()),
    ("updates not object", json.dumps(event(updates=[1])).encode()),
    ("null time", json.dumps(event(event_time=None)).encode()),
    ("object id past int64", json.dumps(event(object_id=2**63)).encode()),
    ("owner id past int64", json.dumps(event(owner_id=2**63)).encode()),
    ("subscription id past int64", json.dumps(event(subscription_id=2**63)).encode()),
    ("event time past int64", json.dumps(event(event_time=2**64)).encode()),
    ("zero id", json.dumps(event(owner_id=0)).encode()),
    ("nested updates", json.dumps(event(updates={"title": {"a": 1}})).encode()),
    ("list in updates", json.dumps(event(updates={"title": ["a"]})).encode()),
    (
        "NaN in updates",
        b'{"object_type":"activity","object_id":1,"aspect_type":"update",'
        b'"owner_id":2,"subscription_id":4242,"event_time":3,"updates":{"x":NaN}}',
    ),
    ("too many updates", json.dumps(event(updates={str(i): "x" for i in range(17)})).encode()),
    ("long update key", json.dumps(event(updates={"k" * 65: "x"})).encode()),
    ("lone surrogate", json.dumps(event(updates={"title": "\ud800"})).encode()),
]


@pytest.mark.parametrize(("label", "body"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_answers_400_and_stores_nothing(
    client: TestClient, db: Database, label: str, body: bytes
) -> None:
    subscribe(db)
    resp = client.post(
        "/webhooks/strava", content=body, headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400, label
    assert resp.json()["error"] == "bad_request"
    assert inbox_rows(db) == 0


def test_huge_body_answers_413_and_stores_nothing(client: TestClient, db: Database) -> None:
    subscribe(db)
    big = event(updates={"title": "x" * 100_000})
    resp = client.post("/webhooks/strava", json=big)
    assert resp.status_code == 413
    assert inbox_rows(db) == 0


def test_huge_chunked_body_without_length_answers_413(client: TestClient, db: Database) -> None:
    subscribe(db)

    def chunks() -> Any:
        for _ in range(100):
            yield b"x" * 1024

    resp = client.post("/webhooks/strava", content=chunks())
    assert resp.status_code == 413
    assert inbox_rows(db) == 0


def test_nul_in_updates_is_dropped_not_a_5xx(client: TestClient, db: Database) -> None:
    """PostgreSQL's JSON cannot hold U+0000: the character is dropped, the event stored."""
    subscribe(db)
    body = event(aspect_type="update", updates={"title": "a\u0000b", "ty\u0000pe": "Ride"})
    resp = client.post("/webhooks/strava", json=body)
    assert (resp.status_code, resp.json()) == (200, {"status": "received"})
    with db.engine.connect() as conn:
        stored = conn.execute(select(webhook_events.c.updates_json)).scalar_one()
    assert stored == {"title": "ab", "type": "Ride"}
