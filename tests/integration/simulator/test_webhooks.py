from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from stravasync.simulator import Simulator, in_process_client
from tests.integration.simulator.conftest import START, busiest, connect, make_sim

CALLBACK = "http://hooks.test/webhook"


class Receiver:
    """A callback endpoint that answers the challenge and can fail or stall on purpose."""

    def __init__(self, *, fail_first: int = 0, stall: float = 0.0, echo: bool = True) -> None:
        self.events: list[dict[str, Any]] = []
        self.validations: list[dict[str, str]] = []
        self.posts = 0
        self.fail_first = fail_first
        self.stall = stall
        app = FastAPI()

        @app.get("/webhook")
        async def validate(request: Request) -> dict[str, str]:
            self.validations.append(dict(request.query_params))
            challenge = request.query_params["hub.challenge"]
            return {"hub.challenge": challenge if echo else "wrong"}

        @app.post("/webhook")
        async def receive(request: Request) -> Response:
            self.posts += 1
            if self.stall:
                await asyncio.sleep(self.stall)
            if self.posts <= self.fail_first:
                return Response(status_code=500)
            self.events.append(await request.json())
            return Response(status_code=200)

        self.client = in_process_client(app, base_url="http://hooks.test")


def subscribe(sim: Simulator, client: httpx.Client) -> httpx.Response:
    return client.post(
        "/api/v3/push_subscriptions",
        data={
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "callback_url": CALLBACK,
            "verify_token": "let-me-in",
        },
    )


def test_subscription_is_validated_listed_unique_and_deleted(
    sim: Simulator, client: httpx.Client
) -> None:
    rx = Receiver()
    sim.set_webhook_transport(rx.client)
    created = subscribe(sim, client)
    assert created.status_code == 201
    sub_id = created.json()["id"]
    assert rx.validations[0]["hub.mode"] == "subscribe"
    assert rx.validations[0]["hub.verify_token"] == "let-me-in"
    creds = {"client_id": sim.client_id, "client_secret": sim.client_secret}
    listed = client.get("/api/v3/push_subscriptions", params=creds).json()
    assert [s["id"] for s in listed] == [sub_id]
    assert {"application_id", "callback_url", "created_at", "updated_at"} <= set(listed[0])
    assert subscribe(sim, client).status_code == 400  # one per application
    assert client.delete(f"/api/v3/push_subscriptions/{sub_id}", params=creds).status_code == 204
    assert client.get("/api/v3/push_subscriptions", params=creds).json() == []


def test_subscription_fails_when_the_challenge_is_not_echoed(
    sim: Simulator, client: httpx.Client
) -> None:
    sim.set_webhook_transport(Receiver(echo=False).client)
    assert subscribe(sim, client).status_code == 400
    assert sim.webhooks.subscription is None


def test_subscription_fails_when_the_callback_is_slower_than_two_seconds() -> None:
    sim = make_sim(webhook_validation_timeout=0.2)
    rx = Receiver()
    slow = FastAPI()

    @slow.get("/webhook")
    async def validate(request: Request) -> dict[str, str]:
        await asyncio.sleep(1.0)
        return {"hub.challenge": request.query_params["hub.challenge"]}

    sim.set_webhook_transport(in_process_client(slow, base_url="http://hooks.test"))
    assert subscribe(sim, sim.http_client()).status_code == 400
    assert rx.events == []


def expected_events(sim: Simulator, athlete: int) -> list[tuple[object, ...]]:
    return [
        (c.kind, c.activity_id, c.at)
        for c in sim.changes(since=START, athlete_ids=[athlete])
        if c.webhook and c.kind != "deauth"
    ]


def test_events_for_connected_athletes_are_delivered_as_time_moves(
    sim: Simulator, client: httpx.Client
) -> None:
    rx = Receiver()
    sim.set_webhook_transport(rx.client)
    sub_id = subscribe(sim, client).json()["id"]
    athlete = busiest(sim)
    connect(sim, client, athlete)
    sim.advance(10 * 86400)
    got = [(e["aspect_type"], e["object_id"], e["event_time"]) for e in rx.events]
    assert got == expected_events(sim, athlete)
    assert got, "ten days bring uploads"
    event = rx.events[0]
    assert set(event) == {
        "aspect_type",
        "event_time",
        "object_id",
        "object_type",
        "owner_id",
        "subscription_id",
        "updates",
    }
    assert event["object_type"] == "activity" and event["owner_id"] == athlete
    assert event["subscription_id"] == sub_id
    for e in rx.events:
        if e["aspect_type"] == "update":
            assert set(e["updates"]) <= {"title", "type", "private"}
        else:
            assert e["updates"] == {}
    stats = sim.stats()["webhooks"]
    assert stats["succeeded"] == len(got) == stats["attempted"]


def test_three_attempts_then_success_or_give_up(sim: Simulator, client: httpx.Client) -> None:
    rx = Receiver(fail_first=2)
    sim.set_webhook_transport(rx.client)
    subscribe(sim, client)
    athlete = sim.athlete_ids()[0]
    connect(sim, client, athlete)
    sim.deauthorize_athlete(athlete)  # one event
    assert rx.posts == 3 and len(rx.events) == 1
    assert rx.events[0]["object_type"] == "athlete"
    assert rx.events[0]["updates"] == {"authorized": "false"}
    assert rx.events[0]["aspect_type"] == "update"
    rx.fail_first = 10**6
    other = sim.athlete_ids()[1]
    connect(sim, client, other)
    sim.deauthorize_athlete(other)
    stats = sim.stats()["webhooks"]
    assert rx.posts == 6
    assert (stats["succeeded"], stats["failed"], stats["attempted"]) == (1, 1, 6)


def test_a_stalled_callback_counts_as_a_failed_attempt() -> None:
    sim = make_sim(webhook_timeout=0.1)
    client = sim.http_client()
    rx = Receiver(stall=0.5)
    sim.set_webhook_transport(rx.client)
    subscribe(sim, client)
    athlete = sim.athlete_ids()[0]
    connect(sim, client, athlete)
    sim.deauthorize_athlete(athlete)
    assert sim.stats()["webhooks"]["failed"] == 1
    assert sim.stats()["webhooks"]["attempted"] == 3


def test_webhook_loss_drops_events_without_attempts() -> None:
    sim = make_sim(webhook_loss=1.0)
    client = sim.http_client()
    rx = Receiver()
    sim.set_webhook_transport(rx.client)
    subscribe(sim, client)
    athlete = busiest(sim)
    connect(sim, client, athlete)
    sim.advance(5 * 86400)
    stats = sim.stats()["webhooks"]
    assert stats["dropped"] == stats["events"] > 0
    assert rx.posts == 0


def test_no_events_without_subscription_or_for_unconnected_athletes(
    sim: Simulator, client: httpx.Client
) -> None:
    rx = Receiver()
    sim.set_webhook_transport(rx.client)
    athlete = busiest(sim)
    connect(sim, client, athlete)
    sim.advance(3 * 86400)  # no subscription yet
    assert rx.posts == 0
    subscribe(sim, client)
    sim.advance(3 * 86400)
    assert rx.events and {e["owner_id"] for e in rx.events} == {athlete}
    assert min(e["event_time"] for e in rx.events) > sim.start + 3 * 86400


def test_athletes_may_revoke_access_by_themselves_on_a_schedule() -> None:
    sim = make_sim(athletes=10, deauth_per_year=100.0)  # mean wait ~3.6 days
    client = sim.http_client()
    rx = Receiver()
    sim.set_webhook_transport(rx.client)
    subscribe(sim, client)
    tokens = {a: connect(sim, client, a) for a in sim.athlete_ids()}
    for _ in range(30):
        sim.advance(86400)
        for athlete in list(tokens):
            if athlete in sim.oauth.connected():
                tokens[athlete] = connect(sim, client, athlete)  # keep a live token
    gone = [e["object_id"] for e in rx.events if e["object_type"] == "athlete"]
    assert len(gone) >= 5
    deauths = {c.athlete_id for c in sim.changes() if c.kind == "deauth"}
    assert set(gone) == deauths
    for athlete in gone:
        assert (
            client.get(
                "/api/v3/athlete",
                headers={"Authorization": f"Bearer {tokens[athlete]['access_token']}"},
            ).status_code
            == 401
        )


def test_changes_endpoint_lists_the_ground_truth(sim: Simulator, client: httpx.Client) -> None:
    athlete = busiest(sim)
    connect(sim, client, athlete)
    sim.advance(2 * 86400)
    listed = client.get("/_sim/changes", params={"since": "2026-01-05T08:00:00Z"}).json()
    assert listed == [c.as_json() for c in sim.changes(since=START)]
    assert listed and {"visible_at", "kind", "athlete_id", "activity_id", "fields"} <= set(
        listed[0]
    )


def test_a_deletion_asked_for_is_gone_and_announced() -> None:
    """POST /_sim/activities/{id}/delete: gone from the next second, with its webhook event."""
    sim = make_sim(athletes=2, history_days=30)
    athlete = busiest(sim)
    victim = sim.truth(athlete)[0]["id"]
    http = sim.http_client()
    assert http.post("/_sim/activities/999999999/delete").status_code == 404
    answer = http.post(f"/_sim/activities/{victim}/delete")
    assert answer.status_code == 200 and answer.json()["deleted"] is True
    sim.clock.advance(60)
    assert victim not in {a["id"] for a in sim.truth(athlete)}
    assert http.post(f"/_sim/activities/{victim}/delete").status_code == 404  # already gone
    mine = [c for c in sim.changes(since=START) if c.activity_id == victim and c.kind == "delete"]
    assert [(c.webhook, c.at) for c in mine] == [(True, int(START.timestamp()) + 1)]
