"""`webhooks subscribe|list|unsubscribe` one second before a quarter-hour reset: the budget's
guard defers the request by a second or two, and the operator's command waits for it instead
of failing (CI failed `webhooks unsubscribe` at 15:29:59 UTC once)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.strava.client import StravaClient
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy
from stravasync.web.intake import subscription
from tests.integration.strava.test_subscribe_twice import echoing_callback

ONE_SECOND_BEFORE_RESET = datetime(2026, 3, 1, 12, 14, 59, 500000, tzinfo=UTC)


def guarded_client(sim: Simulator) -> StravaClient:
    return StravaClient(
        base_url="http://sim.test",
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        budget=MemoryBudget(Limits(10**6, 10**7, 10**6, 10**7), Policy(guard=1.0)),
        clock=sim.clock,
        http=sim.http_client(),
        max_retries=0,
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_subscription_commands_wait_out_the_reset_guard(db: Database) -> None:
    clock = VirtualClock(ONE_SECOND_BEFORE_RESET)
    sim = Simulator(SimConfig(seed=7, athletes=2, quota="unlimited"), clock=clock)
    echoing_callback(sim)
    client = guarded_client(sim)
    sub_id = subscription.subscribe(
        db,
        client,
        callback_url="http://app.test/webhook",
        verify_token="vt",
        now=clock.now(),
        precheck=False,
    )
    assert clock.now() > datetime(2026, 3, 1, 12, 15, tzinfo=UTC)  # it waited past the reset
    clock.set(datetime(2026, 3, 1, 12, 29, 59, 800000, tzinfo=UTC))
    assert [s.id for s in subscription.list_subscriptions(db, client)] == [sub_id]
    clock.set(datetime(2026, 3, 1, 12, 44, 59, 900000, tzinfo=UTC))
    assert subscription.unsubscribe(db, client) == sub_id
    assert (
        sim.http_client()
        .get(
            "/api/v3/push_subscriptions",
            params={"client_id": sim.client_id, "client_secret": sim.client_secret},
        )
        .json()
        == []
    )
