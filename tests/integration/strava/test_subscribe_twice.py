"""A second `webhooks subscribe` names the existing subscription and how to replace it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI, Request

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator, in_process_client
from stravasync.store import Database
from stravasync.web.intake import subscription
from tests.integration.strava.test_client_simulator import make_client

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def echoing_callback(sim: Simulator) -> None:
    app = FastAPI()

    @app.get("/webhook")
    def challenge(request: Request) -> dict[str, str]:
        return {"hub.challenge": request.query_params["hub.challenge"]}

    sim.set_webhook_transport(in_process_client(app, "http://app.test"))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_second_subscribe_says_one_exists_then_replace_works(db: Database) -> None:
    sim = Simulator(SimConfig(seed=7, athletes=3, quota="unlimited"), clock=VirtualClock(NOW))
    echoing_callback(sim)
    client = make_client(sim)
    first = subscription.subscribe(
        db,
        client,
        callback_url="http://app.test/webhook",
        verify_token="vt",
        now=NOW,
        precheck=False,
    )
    with pytest.raises(subscription.SubscriptionError) as err:
        subscription.subscribe(
            db,
            client,
            callback_url="http://app.test/webhook",
            verify_token="vt",
            now=NOW,
            precheck=False,
        )
    message = str(err.value)
    assert (
        f"a subscription already exists (id {first}, callback http://app.test/webhook)" in message
    )
    assert "--replace" in message and f"unsubscribe --id {first}" in message
    assert "Bad Request" not in message

    second = subscription.subscribe(
        db,
        client,
        callback_url="http://app.test/webhook",
        verify_token="vt",
        now=NOW,
        precheck=False,
        replace=True,
    )
    assert second != first
    assert [s.id for s in subscription.list_subscriptions(db, client)] == [second]
    assert [s.stored for s in subscription.list_subscriptions(db, client)] == [True]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_replace_with_a_bad_callback_keeps_the_working_subscription(db: Database) -> None:
    """Issue 23, trip 1: the callback is checked before the old subscription is deleted."""
    from stravasync.store.operator import admin as admin_q
    from stravasync.sync.settings import WEBHOOK_CALLBACK_KEY, WEBHOOK_SUBSCRIPTION_KEY

    sim = Simulator(SimConfig(seed=7, athletes=3, quota="unlimited"), clock=VirtualClock(NOW))
    echoing_callback(sim)
    client = make_client(sim)
    kept = "http://app.test/webhook"
    first = subscription.subscribe(
        db, client, callback_url=kept, verify_token="vt", now=NOW, precheck=False
    )
    # nothing listens on port 9 of this machine: our own challenge fails before any delete
    with pytest.raises(subscription.SubscriptionError, match="does not answer"):
        subscription.subscribe(
            db,
            client,
            callback_url="http://127.0.0.1:9/webhooks/strava",
            verify_token="vt",
            now=NOW,
            replace=True,
        )
    assert [(s.id, s.stored) for s in subscription.list_subscriptions(db, client)] == [
        (first, True)
    ]
    # without our check, Strava's own challenge fails (404 at that path): the old one comes back
    with pytest.raises(subscription.SubscriptionError, match="created again") as err:
        subscription.subscribe(
            db,
            client,
            callback_url="http://app.test/not-the-webhook",
            verify_token="vt",
            now=NOW,
            precheck=False,
            replace=True,
        )
    assert "Strava refused it" in str(err.value)
    subs = subscription.list_subscriptions(db, client)
    assert [(s.callback_url, s.stored) for s in subs] == [(kept, True)]
    with db.engine.connect() as conn:
        assert admin_q.get_setting(conn, WEBHOOK_SUBSCRIPTION_KEY) == subs[0].id
        assert admin_q.get_setting(conn, WEBHOOK_CALLBACK_KEY) == kept
