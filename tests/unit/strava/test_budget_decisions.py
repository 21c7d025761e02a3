"""Window arithmetic, reservation, cushions, pacing, reconciliation and 429 closing (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stravasync.strava.errors import BudgetExhausted
from stravasync.strava.quota import counters as cnt
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.counters import Counter, Denial
from stravasync.strava.quota.ratelimit import LimitClass, Limits, Policy, Priority, limits_for
from stravasync.strava.quota.windows import Window, window_end, window_start

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LIMITS = Limits(20, 1000, 20, 1000)


def test_quarter_hour_boundaries() -> None:
    assert window_start(Window.QUARTER, datetime(2026, 3, 10, 12, 14, 59, tzinfo=UTC)) == T0
    assert window_start(Window.QUARTER, datetime(2026, 3, 10, 12, 15, tzinfo=UTC)) == T0.replace(
        minute=15
    )
    assert window_end(Window.QUARTER, T0) == T0 + timedelta(minutes=15)


def test_daily_window_is_utc_midnight_whatever_the_zone_and_dst() -> None:
    # 2026-03-29 is the EU spring-forward day; Paris midnight is 22:00 or 23:00 UTC.
    paris = ZoneInfo("Europe/Paris")
    before = datetime(2026, 3, 29, 1, 30, tzinfo=paris)  # 00:30 UTC
    after = datetime(2026, 3, 29, 3, 30, tzinfo=paris)  # 01:30 UTC, after the jump
    midnight = datetime(2026, 3, 29, tzinfo=UTC)
    assert window_start(Window.DAY, before) == midnight
    assert window_start(Window.DAY, after) == midnight
    assert window_start(Window.QUARTER, datetime(2026, 3, 29, 3, 7, tzinfo=paris)) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    assert window_end(Window.DAY, datetime(2026, 3, 29, 23, 59, 59, tzinfo=UTC)) == midnight + (
        timedelta(days=1)
    )


def _counters(used: int = 0, now: datetime = T0) -> list[Counter]:
    return [
        Counter(lc, w, window_start(w, now), used, LIMITS.value(lc, w)) for lc, w in cnt.ALL_KEYS
    ]


def _quarter(counters: list[Counter], lc: LimitClass = LimitClass.READ) -> Counter:
    return next(c for c in counters if c.limit_class is lc and c.window is Window.QUARTER)


def test_reservation_counts_in_every_counter_it_applies_to() -> None:
    now = T0 + timedelta(seconds=5)
    result = cnt.decide(_counters(), Priority.INTERACTIVE, read=True, now=now, policy=Policy())
    assert isinstance(result, list)
    assert [c.used for c in result] == [1, 1, 1, 1]
    result = cnt.decide(_counters(), Priority.INTERACTIVE, read=False, now=now, policy=Policy())
    assert isinstance(result, list)
    assert {(c.limit_class, c.used) for c in result} == {
        (LimitClass.OVERALL, 1),
        (LimitClass.READ, 0),
    }


def test_guard_after_reset_defers_to_just_after_the_guard() -> None:
    result = cnt.decide(
        _counters(),
        Priority.INTERACTIVE,
        read=True,
        now=T0 + timedelta(seconds=0.5),
        policy=Policy(guard=1.0),
    )
    assert isinstance(result, Denial)
    assert T0 + timedelta(seconds=1) <= result.retry_at < T0 + timedelta(seconds=1.1)


def test_guard_before_reset_keeps_requests_out_of_the_closing_seconds() -> None:
    # a request in flight at the reset would land (and count) in the next window
    policy = Policy(guard=2.0)
    late = T0 + timedelta(minutes=14, seconds=58, milliseconds=500)
    result = cnt.decide(_counters(), Priority.INTERACTIVE, read=True, now=late, policy=policy)
    assert isinstance(result, Denial)
    assert result.limit_class == "guard"
    assert T0 + timedelta(minutes=15, seconds=2) <= result.retry_at
    assert result.retry_at < T0 + timedelta(minutes=15, seconds=2.1)
    just_before = late - timedelta(seconds=1)
    assert isinstance(
        cnt.decide(_counters(), Priority.INTERACTIVE, read=True, now=just_before, policy=policy),
        list,
    )


def test_retry_time_skips_the_closing_guard() -> None:
    # backfill is paced: with 19 of 20 used its next slot opens at (19 - 2) / 20 * 900 = 765 s,
    # inside a 150 s closing guard, so it is told to come back after the next reset's guard
    policy = Policy(release=0.1, guard=150.0)
    denial = cnt.decide(
        _counters(19), Priority.BACKFILL, read=True, now=T0 + timedelta(minutes=10), policy=policy
    )
    assert isinstance(denial, Denial)
    assert denial.retry_at >= T0 + timedelta(minutes=15, seconds=150)
    assert denial.retry_at < T0 + timedelta(minutes=15, seconds=151)


def test_cushion_release_ends_at_the_closing_guard() -> None:
    # the last slot opens 30 s before the guard, not 30 s before the reset
    policy = Policy(release=0.1, guard=5.0)
    denial = cnt.decide(
        _counters(19), Priority.BACKFILL, read=True, now=T0 + timedelta(minutes=10), policy=policy
    )
    assert isinstance(denial, Denial)
    assert abs((denial.retry_at - (T0 + timedelta(minutes=14, seconds=25))).total_seconds()) < 0.01
    later = cnt.decide(
        _counters(19), Priority.BACKFILL, read=True, now=denial.retry_at, policy=policy
    )
    assert isinstance(later, list)


def test_full_window_denies_until_the_reset() -> None:
    now = T0 + timedelta(minutes=14)
    result = cnt.decide(_counters(20), Priority.INTERACTIVE, read=True, now=now, policy=Policy())
    assert isinstance(result, Denial)
    assert result.retry_at >= T0 + timedelta(minutes=15)
    assert result.retry_at < T0 + timedelta(minutes=15, seconds=2)


def test_cushion_keeps_the_last_requests_for_higher_classes() -> None:
    # backfill keeps 15% of 20 = 3 for the classes above it, until the release period
    policy = Policy(release=0.1)
    now = T0 + timedelta(minutes=10)
    counters = _counters(17)
    assert isinstance(
        cnt.decide(counters, Priority.BACKFILL, read=True, now=now, policy=policy), Denial
    )
    assert isinstance(
        cnt.decide(counters, Priority.WEBHOOK, read=True, now=now, policy=policy), list
    )
    assert isinstance(
        cnt.decide(counters, Priority.INTERACTIVE, read=True, now=now, policy=policy), list
    )


def test_cushion_is_released_near_the_end_of_the_window() -> None:
    policy = Policy(release=0.1, guard=0)  # last 90 s of the quarter
    counters = _counters(19)
    denial = cnt.decide(
        counters, Priority.BACKFILL, read=True, now=T0 + timedelta(minutes=10), policy=policy
    )
    assert isinstance(denial, Denial)
    # 19 < 20 - 3 * rem / 90  <=>  rem < 30 s: the last slot opens 30 s before the reset
    assert abs((denial.retry_at - (T0 + timedelta(minutes=14, seconds=30))).total_seconds()) < 0.01
    later = cnt.decide(counters, Priority.BACKFILL, read=True, now=denial.retry_at, policy=policy)
    assert isinstance(later, list)


def test_pacing_spreads_a_class_across_the_window() -> None:
    policy = Policy(burst=0.1, guard=0)  # 2 of 20 at the reset, then 20 per 900 s
    now = T0
    counters = _counters()
    sent = 0
    while True:
        result = cnt.decide(counters, Priority.BACKFILL, read=True, now=now, policy=policy)
        if isinstance(result, Denial):
            break
        counters, sent = result, sent + 1
    assert sent == 2
    # the next one is allowed when 2 + 20 * elapsed / 900 > 2, i.e. right after; the 10th at ~360 s
    assert isinstance(result, Denial)
    counters = [
        c
        if c.window is Window.DAY
        else Counter(c.limit_class, c.window, c.window_start, 9, c.limit)
        for c in counters
    ]
    denial = cnt.decide(counters, Priority.BACKFILL, read=True, now=now, policy=policy)
    assert isinstance(denial, Denial)
    assert abs((denial.retry_at - T0).total_seconds() - 315) < 0.1  # (9 - 2) / 20 * 900
    # interactive is not paced
    assert isinstance(
        cnt.decide(counters, Priority.INTERACTIVE, read=True, now=now, policy=policy), list
    )


def test_memory_budget_spends_whole_windows_and_never_more() -> None:
    budget = MemoryBudget(LIMITS, Policy())
    now = T0
    per_window: dict[datetime, int] = {}
    end = T0 + timedelta(minutes=45)
    while now < end:
        try:
            budget.reserve(Priority.BACKFILL, now=now)
            start = window_start(Window.QUARTER, now)
            per_window[start] = per_window.get(start, 0) + 1
        except BudgetExhausted as exc:
            assert exc.retry_at > now
            now = exc.retry_at
    assert list(per_window.values()) == [20, 20, 20]
    assert [c.used for c in budget.history if c.window is Window.QUARTER] == [20, 20, 20, 20]


def test_headers_parse_case_blind_and_tolerate_garbage() -> None:
    usage = cnt.parse_headers(
        {
            "X-Ratelimit-Usage": "12,300",
            "X-RateLimit-Limit": "200,2000",
            "x-readratelimit-usage": "x",
        }
    )
    assert usage == {
        (LimitClass.OVERALL, Window.QUARTER): (12, 200),
        (LimitClass.OVERALL, Window.DAY): (300, 2000),
    }
    assert cnt.parse_headers({"X-RateLimit-Usage": "1,2,3"}) == {}


def test_reconcile_only_raises_within_a_window_and_adopts_lower_limits() -> None:
    now = T0 + timedelta(minutes=3)
    counters = _counters(5)
    usage = {
        (LimitClass.READ, Window.QUARTER): (9, 15),
        (LimitClass.OVERALL, Window.QUARTER): (2, 600),
    }
    out = cnt.reconcile(counters, usage, sent_at=now, now=now, configured=LIMITS)
    read_q = _quarter(out)
    overall_q = _quarter(out, LimitClass.OVERALL)
    assert (read_q.used, read_q.limit) == (9, 15)
    assert (overall_q.used, overall_q.limit) == (5, 20)  # never lowered; capped by configuration
    # a response to a request sent in the previous window does not touch the new one
    out = cnt.reconcile(
        counters, usage, sent_at=T0 - timedelta(seconds=1), now=now, configured=LIMITS
    )
    assert _quarter(out).used == 5


def test_new_window_resets_and_archives() -> None:
    c = _quarter(_counters(17))
    rolled, finished = cnt.roll(c, T0 + timedelta(minutes=15), LIMITS)
    assert rolled.used == 0 and rolled.window_start == T0 + timedelta(minutes=15)
    assert finished == c
    same, none = cnt.roll(c, T0 + timedelta(minutes=14), LIMITS)
    assert same.used == 17 and none is None


def test_429_closes_the_exceeded_class_until_its_reset() -> None:
    now = T0 + timedelta(minutes=7)
    usage = {
        (LimitClass.READ, Window.QUARTER): (21, 20),
        (LimitClass.READ, Window.DAY): (50, 1000),
        (LimitClass.OVERALL, Window.QUARTER): (21, 40),
        (LimitClass.OVERALL, Window.DAY): (50, 2000),
    }
    counters, denial = cnt.close_on_429(_counters(3), usage, read=True, now=now)
    assert denial == Denial(T0 + timedelta(minutes=15), "read:15min")
    closed = [c for c in counters if c.closed_until is not None]
    assert [(c.name, c.http_429) for c in closed] == [("read:15min", 1)]
    later = cnt.decide(
        counters, Priority.INTERACTIVE, read=True, now=now + timedelta(minutes=1), policy=Policy()
    )
    assert isinstance(later, Denial) and later.retry_at == T0 + timedelta(minutes=15)
    # overall-only requests (uploads) still go
    assert isinstance(
        cnt.decide(counters, Priority.INTERACTIVE, read=False, now=now, policy=Policy()), list
    )


def test_tiers_and_overrides() -> None:
    assert limits_for("default").read_15min == 100
    assert limits_for("extended").overall_daily == 6000
    assert limits_for("default", {"read_15min": 20, "read_daily": None}).read_15min == 20


@pytest.mark.parametrize("priority", list(Priority))
def test_every_class_can_use_an_idle_window(priority: Priority) -> None:
    budget = MemoryBudget(LIMITS, Policy())
    now, sent = T0, 0
    while now < T0 + timedelta(minutes=15):
        try:
            budget.reserve(priority, now=now)
            sent += 1
        except BudgetExhausted as exc:
            now = exc.retry_at
    assert sent == 20


def test_daily_pacing_holds_back_only_the_bulk_classes() -> None:
    from stravasync.strava.quota.ratelimit import Policy, Priority
    from stravasync.strava.quota.windows import Window

    # pacing with cushions released in the last 10% only (the reserve and the day-long
    # release: test_daily_reserve)
    policy = Policy(daily_reserve=0.0, daily_release=0.1)
    early = 0.05  # 72 minutes into the UTC day
    # backfill and refresh may use the daily budget as fast as the quarter hours allow ...
    assert policy.allowance(Priority.BACKFILL, 3000, early, Window.DAY) == 3000 * (1 - 0.15)
    assert policy.allowance(Priority.REFRESH, 3000, early, Window.DAY) == 3000 * (1 - 0.10)
    # ... while enrich and reconcile spread over the day
    assert policy.allowance(Priority.ENRICH, 3000, early, Window.DAY) == 300 + 3000 * early
    assert policy.allowance(Priority.RECONCILE, 3000, early, Window.DAY) == 300 + 3000 * early
    # on the quarter hour every class from incremental down is paced
    assert policy.allowance(Priority.BACKFILL, 300, 0.5, Window.QUARTER) == 30 + 150
