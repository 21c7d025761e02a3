"""The client over an in-process HTTP handler: budget first, headers reconciled, errors named."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.strava import errors as e
from stravasync.strava.client import StravaClient
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority
from stravasync.strava.quota.windows import Window
from stravasync.strava.transport import GUARD_WAIT_MAX

START = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
ACTIVITY = {"id": 5, "athlete": {"id": 9}, "name": "Ride", "sport_type": "Ride"}
HEADERS = {
    "X-RateLimit-Limit": "200,2000",
    "X-RateLimit-Usage": "7,70",
    "X-ReadRateLimit-Limit": "100,1000",
    "X-ReadRateLimit-Usage": "7,70",
}


def make(
    handler: Callable[[httpx.Request], httpx.Response],
    limits: Limits | None = None,
    *,
    count_token_requests: bool = True,
) -> tuple[StravaClient, MemoryBudget, VirtualClock, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    clock = VirtualClock(START)
    budget = MemoryBudget(limits or Limits(200, 2000, 100, 1000), Policy())
    client = StravaClient(
        base_url="http://strava.test",
        client_id="1",
        client_secret="s3cr3t",
        budget=budget,
        clock=clock,
        http=httpx.Client(transport=httpx.MockTransport(record)),
        rng=random.Random(1),
        count_token_requests=count_token_requests,
    )
    return client, budget, clock, seen


def read_quarter(budget: MemoryBudget, clock: VirtualClock) -> int:
    return next(
        c.used
        for c in budget.snapshot(clock.now())
        if c.limit_class.value == "read" and c.window is Window.QUARTER
    )


def test_list_sends_bearer_and_reconciles_usage_upward() -> None:
    client, budget, clock, seen = make(
        lambda r: httpx.Response(200, json=[ACTIVITY], headers=HEADERS)
    )
    page = client.list_activities("tok", after=100, priority=Priority.INCREMENTAL)
    assert [a.id for a in page.activities] == [5]
    assert page.activities[0].raw == ACTIVITY
    request = seen[0]
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.url.path == "/api/v3/athlete/activities"
    assert dict(request.url.params) == {"page": "1", "per_page": "200", "after": "100"}
    assert read_quarter(budget, clock) == 7  # 1 reserved, raised to Strava's 7


def test_429_closes_the_class_and_nothing_more_is_sent() -> None:
    headers = {**HEADERS, "X-ReadRateLimit-Usage": "101,300"}
    client, _budget, _clock, seen = make(
        lambda r: httpx.Response(429, json={"message": "Rate Limit Exceeded"}, headers=headers)
    )
    with pytest.raises(e.RateLimited) as info:
        client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
    assert info.value.limit_class == "read:15min"
    assert info.value.retry_at == datetime(2026, 3, 10, 12, 15, tzinfo=UTC)
    with pytest.raises(e.BudgetExhausted):
        client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
    assert len(seen) == 1


def test_denied_reservation_sends_nothing() -> None:
    client, _budget, _clock, seen = make(
        lambda r: httpx.Response(200, json=ACTIVITY), limits=Limits(1, 10, 1, 10)
    )
    client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
    with pytest.raises(e.BudgetExhausted) as info:
        client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
    assert info.value.retry_at > START
    assert len(seen) == 1


def test_transient_failures_are_retried_with_backoff_then_succeed() -> None:
    answers = iter([httpx.Response(502, text="bad gateway"), httpx.Response(200, text="{broken")])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(200, json=ACTIVITY))

    client, _budget, clock, seen = make(handler)
    detail = client.get_activity("tok", 5, priority=Priority.ENRICH)
    assert detail.id == 5 and len(seen) == 3
    assert clock.now() > START  # waited (virtually) between attempts


def test_broken_json_every_time_ends_as_malformed_response() -> None:
    client, _b, _c, seen = make(lambda r: httpx.Response(200, text='[{"id": 1,'))
    with pytest.raises(e.MalformedResponse):
        client.list_activities("tok", priority=Priority.BACKFILL)
    assert len(seen) == 4  # first try + 3 retries


def test_a_token_request_that_timed_out_is_not_repeated() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client, _b, _c, seen = make(handler)
    with pytest.raises(e.Transient) as info:
        client.refresh("rt")
    assert info.value.status == 0 and len(seen) == 1
    with pytest.raises(e.Transient):
        client.get_athlete("tok", priority=Priority.INTERACTIVE)
    assert len(seen) == 5


TOKEN = {
    "token_type": "Bearer",
    "access_token": "a",
    "refresh_token": "r",
    "expires_at": 1_800_000_000,
    "expires_in": 21600,
    "athlete": {"id": 9},
}


def test_token_exchange_posts_credentials_and_parses_tokens() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        assert form == {
            "client_id": "1",
            "client_secret": "s3cr3t",
            "code": "c0de",
            "grant_type": "authorization_code",
        }
        return httpx.Response(200, json=TOKEN)

    client, _b, _c, _seen = make(handler)
    token = client.exchange_code("c0de")
    assert (token.access_token, token.refresh_token, token.athlete and token.athlete.id) == (
        "a",
        "r",
        9,
    )


def test_retry_after_a_deferred_window_succeeds() -> None:
    client, _budget, clock, _seen = make(
        lambda r: httpx.Response(200, json=ACTIVITY), limits=Limits(1, 10, 1, 10)
    )
    client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
    with pytest.raises(e.BudgetExhausted) as info:
        client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
    clock.set(info.value.retry_at + timedelta(milliseconds=1))
    assert client.get_activity("tok", 5, priority=Priority.INTERACTIVE).id == 5


@pytest.mark.parametrize("counted", [True, False])
def test_token_requests_spend_budget_only_when_strava_counts_them(counted: bool) -> None:
    client, budget, clock, seen = make(
        lambda r: httpx.Response(200, json=TOKEN if "token" in r.url.path else ACTIVITY),
        limits=Limits(2, 10, 2, 10),
        count_token_requests=counted,
    )
    client.exchange_code("c0de")
    client.refresh("r")
    assert read_quarter(budget, clock) == (2 if counted else 0)
    if counted:  # the two exchanges spent the window: nothing more is sent
        with pytest.raises(e.BudgetExhausted):
            client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
        assert len(seen) == 2
    else:
        assert client.get_activity("tok", 5, priority=Priority.INTERACTIVE).id == 5
        assert read_quarter(budget, clock) == 1


@pytest.mark.parametrize("before_reset", [0.3, 0.999])
def test_an_interactive_call_in_the_reset_guard_waits_it_out(before_reset: float) -> None:
    """A person signing in the second before a quarter hour's reset is served a moment late,
    in the next window; an API read at the same moment is deferred, nothing sent, even at the
    interactive class (a requested sync pass is rescheduled past the reset, it holds no one)."""
    client, budget, clock, seen = make(lambda r: httpx.Response(200, json=TOKEN))
    reset = datetime(2026, 3, 10, 12, 15, tzinfo=UTC)
    clock.set(reset - timedelta(seconds=before_reset))
    for priority in (Priority.INCREMENTAL, Priority.INTERACTIVE):
        with pytest.raises(e.BudgetExhausted) as info:
            client.get_activity("tok", 5, priority=priority)
        assert info.value.limit_class == "guard" and not seen
    token = client.exchange_code("c0de")
    assert token.access_token == "a" and len(seen) == 1
    assert reset < clock.now() < reset + timedelta(seconds=GUARD_WAIT_MAX)
    assert read_quarter(budget, clock) == 1  # counted in the window it was sent in


def test_an_interactive_call_waits_only_for_the_guard() -> None:
    """A closed window is not waited for, however urgent the call: it is deferred at once."""
    client, _budget, clock, seen = make(
        lambda r: httpx.Response(200, json=ACTIVITY), limits=Limits(1, 10, 1, 10)
    )
    client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
    before = clock.now()
    with pytest.raises(e.BudgetExhausted) as info:
        client.get_activity("tok", 5, priority=Priority.INTERACTIVE)
    assert info.value.limit_class != "guard" and clock.now() == before and len(seen) == 1
