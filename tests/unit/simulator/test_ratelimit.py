from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stravasync.clock import to_epoch
from stravasync.simulator import QuotaLimits, SimConfigError, parse_quota
from stravasync.simulator.ratelimit import RateLimiter


def at(hour: int, minute: int, second: int = 0, day: int = 5) -> int:
    return to_epoch(datetime(2026, 1, day, hour, minute, second, tzinfo=UTC))


def test_requests_over_the_limit_are_rejected_and_still_counted() -> None:
    limiter = RateLimiter(QuotaLimits(5, 50, 3, 30))
    now = at(8, 1)
    results = [limiter.hit(now) for _ in range(6)]
    assert results == [True, True, True, False, False, False]
    usage = limiter.snapshot(now)
    assert (usage.read_15min, usage.overall_15min, usage.read_daily) == (6, 6, 6)
    headers = dict(limiter.headers(now))
    assert headers[b"x-readratelimit-usage"] == b"6,6"
    assert headers[b"x-readratelimit-limit"] == b"3,30"
    assert headers[b"x-ratelimit-limit"] == b"5,50"
    assert headers[b"x-ratelimit-usage"] == b"6,6"


def test_fifteen_minute_window_resets_at_the_quarter_hour_not_sliding() -> None:
    limiter = RateLimiter(QuotaLimits(2, 100, 2, 100))
    assert limiter.hit(at(8, 14, 0))
    assert limiter.hit(at(8, 14, 58))
    assert not limiter.hit(at(8, 14, 59))
    # one second later a new quarter starts: 15-min usage resets, daily keeps counting
    assert limiter.hit(at(8, 15, 0))
    usage = limiter.snapshot(at(8, 15, 0))
    assert (usage.overall_15min, usage.overall_daily) == (1, 4)
    for quarter_start in (at(8, 30), at(8, 45), at(9, 0)):
        assert limiter.snapshot(quarter_start).overall_15min == 0


def test_daily_window_resets_at_utc_midnight() -> None:
    limiter = RateLimiter(QuotaLimits(100, 3, 100, 3))
    for _ in range(3):
        assert limiter.hit(at(23, 50))
    assert not limiter.hit(at(23, 59, 59))
    assert limiter.snapshot(at(23, 59, 59)).overall_daily == 4
    assert limiter.hit(at(0, 0, 0, day=6))
    assert limiter.snapshot(at(0, 0, 1, day=6)).overall_daily == 1


def test_over_the_15min_limit_still_counts_toward_daily() -> None:
    limiter = RateLimiter(QuotaLimits(1, 10, 1, 10))
    limiter.hit(at(10, 0))
    limiter.hit(at(10, 1))
    limiter.hit(at(10, 2))
    assert limiter.snapshot(at(10, 3)).overall_daily == 3


def test_quota_tiers_and_explicit_numbers() -> None:
    assert parse_quota("default") == QuotaLimits(200, 2000, 100, 1000)
    assert parse_quota("standard") == QuotaLimits(400, 4000, 200, 2000)
    assert parse_quota("extended") == QuotaLimits(600, 6000, 300, 3000)
    assert parse_quota("600,30000,300,15000") == QuotaLimits(600, 30000, 300, 15000)
    assert parse_quota("unlimited").read_daily >= 10**9
    with pytest.raises(SimConfigError):
        parse_quota("gold")
