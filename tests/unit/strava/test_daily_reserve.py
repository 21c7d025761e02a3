"""The daily budget: cushions that shrink with the day, a reserve the bulk classes never spend.

Pure decisions on counters; every instant is given, none is read from a clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stravasync.strava import counters as cnt
from stravasync.strava.counters import Counter, Denial
from stravasync.strava.ratelimit import Limits, Policy, Priority, policy_from_settings
from stravasync.strava.windows import Window, window_start

LIMITS = Limits(2_000, 20_000, 100, 1_000)
MIDNIGHT = datetime(2026, 3, 11, tzinfo=UTC)
LATE = MIDNIGHT - timedelta(minutes=7, seconds=30)  # 23:52:30 UTC, mid-quarter
PERIODIC = [Priority.INCREMENTAL, Priority.REFRESH, Priority.ENRICH, Priority.RECONCILE]
UNEXPECTED = [Priority.INTERACTIVE, Priority.WEBHOOK, Priority.BACKFILL]


def _counters(day_used: int, now: datetime = LATE) -> list[Counter]:
    """Read day at ``day_used``; every quarter hour and the overall day nearly idle."""
    out = []
    for lc, w in cnt.ALL_KEYS:
        used = day_used if (lc.value, w) == ("read", Window.DAY) else 0
        out.append(Counter(lc, w, window_start(w, now), used, LIMITS.value(lc, w)))
    return out


def _decide(day_used: int, priority: Priority, now: datetime, policy: Policy) -> object:
    return cnt.decide(_counters(day_used, now), priority, read=True, now=now, policy=policy)


@pytest.mark.parametrize("priority", PERIODIC)
def test_the_periodic_classes_stop_at_the_reserve_to_the_end_of_the_day(
    priority: Priority,
) -> None:
    policy = Policy(daily_reserve=0.15)
    assert isinstance(_decide(849, priority, LATE, policy), list)
    denial = _decide(850, priority, LATE, policy)
    assert isinstance(denial, Denial) and denial.limit_class == "read:daily"
    # told to come back after midnight, not at some instant of a release that never frees it
    assert MIDNIGHT < denial.retry_at < MIDNIGHT + timedelta(seconds=2)
    assert isinstance(_decide(0, priority, denial.retry_at, policy), list)


@pytest.mark.parametrize("priority", UNEXPECTED)
def test_clicks_pushes_and_new_athletes_spend_the_reserve(priority: Priority) -> None:
    policy = Policy(daily_reserve=0.15)
    # 7.5 minutes before midnight every cushion has shrunk to at most one request
    assert isinstance(_decide(998, priority, LATE, policy), list)
    full = _decide(1_000, priority, LATE, policy)
    assert isinstance(full, Denial) and full.retry_at > MIDNIGHT


def test_without_a_reserve_enrichment_drains_the_day() -> None:
    old = Policy(daily_reserve=0.0, daily_release=0.1)  # the policy before issue 14
    assert isinstance(_decide(985, Priority.ENRICH, LATE, old), list)  # club-week: 999-1,001


def test_daily_cushions_shrink_with_the_time_left_in_the_day() -> None:
    policy = Policy(daily_reserve=0.15)
    six_pm = 0.75
    # backfill keeps 15% of the day at midnight, a quarter of that at 18:00 UTC
    assert policy.allowance(Priority.BACKFILL, 1_000, 0.0, Window.DAY) == pytest.approx(
        850, abs=0.01
    )
    assert policy.allowance(Priority.BACKFILL, 1_000, six_pm, Window.DAY) == pytest.approx(
        1_000 - 150 * 0.25, abs=0.01
    )
    # a backfill of 1,000 athletes at 08:30 UTC (extended quota) is not held at 85% of the day
    assert policy.allowance(Priority.BACKFILL, 3_000, 8.5 / 24, Window.DAY) > 2_700
    # the bulk classes: cushion shrinking too, but never below the reserve; still paced
    assert policy.allowance(Priority.RECONCILE, 1_000, 0.8, Window.DAY) == pytest.approx(850)
    assert policy.allowance(Priority.ENRICH, 1_000, 0.5, Window.DAY) == pytest.approx(600)
    # the quarter hours keep their 90 s release and know no reserve
    assert policy.allowance(Priority.BACKFILL, 100, 0.5, Window.QUARTER) == pytest.approx(60)
    assert policy.allowance(Priority.ENRICH, 100, 0.9999, Window.QUARTER) > 99


def test_a_denied_bulk_request_learns_when_the_shrinking_cushion_lets_it_through() -> None:
    policy = Policy(daily_reserve=0.05, burst=1.0)  # no pacing in the way: the cushion alone
    noon = MIDNIGHT - timedelta(hours=11, minutes=52, seconds=30)
    # enrich at 920 of 1,000 at 12:07:30: its 20% cushion (99 at that hour) holds it back
    denial = _decide(920, Priority.ENRICH, noon, policy)
    assert isinstance(denial, Denial)
    # until 920 < 1000 - 200 * rem / 86400, i.e. rem < 9.6 h: 14:24 UTC (within a second)
    expected = MIDNIGHT - timedelta(hours=9.6)
    assert abs((denial.retry_at - expected).total_seconds()) < 2
    assert isinstance(_decide(920, Priority.ENRICH, denial.retry_at, policy), list)
    assert isinstance(
        _decide(920, Priority.ENRICH, expected - timedelta(minutes=1), policy), Denial
    )


def test_reserve_and_release_come_from_settings() -> None:
    policy = policy_from_settings(
        {},
        paced_from="incremental",
        burst=0.1,
        release=0.1,
        guard=1.0,
        daily_release=0.5,
        daily_reserve=0.05,
    )
    assert policy.reserve(Priority.ENRICH, 1_000, Window.DAY) == pytest.approx(50)
    assert policy.reserve(Priority.REFRESH, 1_000, Window.DAY) == pytest.approx(50)
    assert policy.reserve(Priority.BACKFILL, 1_000, Window.DAY) == 0
    assert Policy().daily_reserve == 0.20
    assert policy.reserve(Priority.ENRICH, 100, Window.QUARTER) == 0
    assert policy.release_seconds(Window.DAY) == 43_200
    assert policy.release_seconds(Window.QUARTER) == 90
