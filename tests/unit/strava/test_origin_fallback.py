"""The client between two API origins: fall back only when the first cannot be reached."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.strava import errors as e
from stravasync.strava.client import StravaClient
from stravasync.strava.platform import FALLBACK_MEMORY, choose_origins
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority
from stravasync.strava.quota.windows import Window

NOW = datetime(2027, 2, 1, 9, 0, 30, tzinfo=UTC)  # between 2027-01-04 and 2027-06-01
ATHLETE = {"id": 9, "resource_state": 3}


def make(
    unreachable: set[str],
    *,
    status: int = 200,
    api_url: str | None = None,
    start: datetime = NOW,
) -> tuple[StravaClient, MemoryBudget, VirtualClock, list[str]]:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(f"{request.url.host}{request.url.path}")
        if request.url.host in unreachable:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)
        return httpx.Response(status, json=ATHLETE if status == 200 else {"message": "x"})

    clock = VirtualClock(start)
    budget = MemoryBudget(Limits(200, 2000, 100, 1000), Policy())
    client = StravaClient(
        origins=partial(choose_origins, api_url=api_url),
        client_id="1",
        client_secret="s",
        budget=budget,
        clock=clock,
        http=httpx.Client(transport=httpx.MockTransport(handler)),
        rng=random.Random(1),
        max_retries=0,
    )
    return client, budget, clock, hosts


def reads(budget: MemoryBudget, clock: VirtualClock) -> int:
    return next(
        c.used
        for c in budget.snapshot(clock.now())
        if c.limit_class.value == "read" and c.window is Window.QUARTER
    )


def test_the_new_origin_is_used_without_api_v3_and_oauth_stays_on_www() -> None:
    client, _budget, _clock, hosts = make(set())
    client.get_athlete("tok", priority=Priority.INTERACTIVE)
    client.revoke("refresh")
    assert hosts == ["api-v3.strava.com/athlete", "www.strava.com/oauth/revoke"]


def test_dns_failure_falls_back_once_remembered_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, budget, clock, hosts = make({"api-v3.strava.com"})
    with caplog.at_level(logging.DEBUG, logger="stravasync.strava.transport"):
        client.get_athlete("tok", priority=Priority.INTERACTIVE)
        client.get_athlete("tok", priority=Priority.INTERACTIVE)
    assert hosts == [
        "api-v3.strava.com/athlete",
        "www.strava.com/api/v3/athlete",  # the same request, resent at once
        "www.strava.com/api/v3/athlete",  # remembered: the new origin is not tried again
    ]
    assert reads(budget, clock) == 2  # one budget, one reservation per request
    assert client.transport.answered_at == "https://www.strava.com/api/v3"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "using https://www.strava.com/api/v3" in warnings[0].message
    clock.advance(FALLBACK_MEMORY.total_seconds())  # memory over: the first choice again
    with caplog.at_level(logging.DEBUG, logger="stravasync.strava.transport"):
        client.get_athlete("tok", priority=Priority.INTERACTIVE)
    assert hosts[3:] == ["api-v3.strava.com/athlete", "www.strava.com/api/v3/athlete"]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


@pytest.mark.parametrize("status", [404, 500, 503])
def test_an_http_answer_never_falls_back(status: int) -> None:
    client, _budget, _clock, hosts = make(set(), status=status)
    with pytest.raises(e.StravaError):
        client.get_athlete("tok", priority=Priority.INTERACTIVE)
    assert hosts == ["api-v3.strava.com/athlete"]
    assert client.transport.fallback_until is None


def test_a_mistyped_host_fails_safe() -> None:
    client, _budget, _clock, hosts = make(
        {"www.api-v3.strava.com"}, api_url="https://www.api-v3.strava.com"
    )
    athlete = client.get_athlete("tok", priority=Priority.INTERACTIVE)
    assert athlete.id == 9
    assert hosts == ["www.api-v3.strava.com/athlete", "www.strava.com/api/v3/athlete"]


def test_both_unreachable_is_a_transient_failure() -> None:
    client, _budget, clock, hosts = make({"api-v3.strava.com", "www.strava.com"})
    with pytest.raises(e.Transient) as failed:
        client.get_athlete("tok", priority=Priority.INTERACTIVE)
    assert "cannot reach https://www.strava.com/api/v3/athlete" in str(failed.value)
    assert len(hosts) == 2
    assert client.transport.fallback_until == clock.now() + timedelta(hours=1)


def test_oauth_calls_never_fall_back() -> None:
    client, _budget, _clock, hosts = make({"www.strava.com"})
    with pytest.raises(e.Transient):
        client.revoke("refresh")
    assert hosts == ["www.strava.com/oauth/revoke"]


def test_a_running_client_switches_origin_on_the_day_without_a_restart() -> None:
    client, _budget, clock, hosts = make(set(), start=datetime(2027, 1, 3, 23, 50, 30, tzinfo=UTC))
    client.get_athlete("tok", priority=Priority.INTERACTIVE)
    clock.advance(3600)  # 2027-01-04 00:50
    client.get_athlete("tok", priority=Priority.INTERACTIVE)
    clock.set(datetime(2027, 6, 1, 0, 5, 30, tzinfo=UTC))
    assert client.origins.fallback is None  # the old origin is retired: nothing to fall back to
    client.get_athlete("tok", priority=Priority.INTERACTIVE)
    assert hosts == [
        "www.strava.com/api/v3/athlete",
        "api-v3.strava.com/athlete",
        "api-v3.strava.com/athlete",
    ]
