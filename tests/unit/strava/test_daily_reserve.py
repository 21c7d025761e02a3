"""The daily budget: cushions that shrink with the day, a reserve the bulk classes never spend.

Pure decisions on counters; every instant is given, none is read from a clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stravasync.strava.quota import counters as cnt
from stravasync.strava.quota.counters import Counter, Denial
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority, policy_from_settings
from stravasync.strava.quota.windows import Window, window_start

LIMITS = Limits(2_000, 20_000, 100, 1_000)
MIDNIGHT = datetime(2026, 3, 11, tzinfo=UTC)
LATE = MIDNIGHT - timedelta(minutes=7, seconds=30)  # 23:52:30 UTC, mid-quarter
RELEASED = [Priority.INCREMENTAL, Priority.REFRESH, Priority.RECONCILE]
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


def test_enrichment_stops_at_the_reserve_to_the_end_of_the_day() -> None:
    policy = Policy(daily_reserve=0.15)
    # 7.5 minutes before midnight: the reserve (150) plus what is left of enrich's cushion (1)
    assert isinstance(_decide(848, Priority.ENRICH, LATE, policy), list)
    denial = _decide(850, Priority.ENRICH, LATE, policy)
    assert isinstance(denial, Denial) and denial.limit_class == "read:daily"
    # told to come back after midnight, not at some instant of a release that never frees it
    assert MIDNIGHT < denial.retry_at < MIDNIGHT + timedelta(seconds=2)
    assert isinstance(_decide(0, Priority.ENRICH, denial.retry_at, policy), list)
    # the cushion shrinks away, the reserve does not
    assert isinstance(_decide(849, Priority.ENRICH, MIDNIGHT - timedelta(seconds=5), policy), list)


@pytest.mark.parametrize("priority", RELEASED)
def test_the_bounded_periodic_classes_get_the_unclaimed_reserve_in_the_last_half_hour(
    priority: Priority,
) -> None:
    policy = Policy(daily_reserve=0.15)  # released over the last 30 minutes (the default)
    half_past = MIDNIGHT - timedelta(minutes=30, seconds=7.5)  # 23:29:52.5, mid-quarter
    # until 23:30 the whole reserve is kept: a burst at 23:00 finds it
    assert isinstance(_decide(840, priority, half_past, policy), list)
    held = _decide(850, priority, half_past, policy)
    assert isinstance(held, Denial) and held.limit_class == "read:daily"
    # at 23:52:30 a quarter of it is left (37.5) plus what is left of the class cushion
    assert isinstance(_decide(950, priority, LATE, policy), list)
    assert isinstance(_decide(965, priority, LATE, policy), Denial)
    # a denied request learns the instant the release lets it through, not the reset
    assert half_past < held.retry_at < MIDNIGHT - timedelta(minutes=29)
    assert isinstance(_decide(850, priority, held.retry_at, policy), list)


def test_the_reserve_release_is_a_setting_and_zero_keeps_the_reserve_to_the_reset() -> None:
    kept = Policy(daily_reserve=0.15, reserve_release=0.0)
    denial = _decide(850, Priority.REFRESH, LATE, kept)
    assert isinstance(denial, Denial) and denial.retry_at > MIDNIGHT
    hour = Policy(daily_reserve=0.15, reserve_release=3_600.0)
    # 7.5 minutes before midnight an hour-long release has freed 7/8 of 150
    assert hour.reserve(Priority.REFRESH, 1_000, Window.DAY, 450.0) == pytest.approx(18.75)
    assert hour.reserve(Priority.ENRICH, 1_000, Window.DAY, 450.0) == pytest.approx(150)
    assert hour.reserve(Priority.REFRESH, 1_000, Window.DAY) == pytest.approx(150)


@pytest.mark.parametrize(
    ("at", "policy"),
    [
        (MIDNIGHT - timedelta(hours=5, minutes=52, seconds=30), Policy()),  # 18:07:30, defaults
        (MIDNIGHT - timedelta(hours=11, minutes=52, seconds=30), Policy(burst=1.0)),  # noon
    ],
)
def test_when_enrichment_has_reached_its_cap_refresh_and_polls_still_have_room(
    at: datetime, policy: Policy
) -> None:
    """The reserve is added to the class cushions, not their floor: the order of the periodic
    classes survives it. (With the reserve as a floor, refresh, enrich and reconcile shared one
    cap, 80% of the day, for most of it, and enrichment filled it.)"""
    used = 1_000
    while isinstance(_decide(used - 1, Priority.ENRICH, at, policy), Denial):
        used -= 1
    assert isinstance(_decide(used, Priority.ENRICH, at, policy), Denial)
    assert used < 800  # enrichment has spent what it may at this hour
    for priority in (Priority.INCREMENTAL, Priority.REFRESH):
        # room for a pass: at 18:00 a quarter of the 10% cushions' difference, at noon half
        assert isinstance(_decide(used + 20, priority, at, policy), list), priority
    # reconcile, below enrichment, stops before it
    assert isinstance(_decide(used - 1, Priority.RECONCILE, at, policy), Denial)
    noon = 43_200.0
    assert policy.cushion(Priority.ENRICH, 1_000, noon, Window.DAY) == pytest.approx(300)
    assert policy.cushion(Priority.REFRESH, 1_000, noon, Window.DAY) == pytest.approx(250)


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
    # the bulk classes: the reserve plus their cushion, shrinking too; still paced
    reconcile = policy.allowance(Priority.RECONCILE, 1_000, 0.8, Window.DAY)
    assert reconcile == pytest.approx(800, abs=0.01)
    assert policy.allowance(Priority.ENRICH, 1_000, 0.5, Window.DAY) == pytest.approx(600)
    enrich = policy.allowance(Priority.ENRICH, 1_000, 0.75, Window.DAY)
    assert enrich == pytest.approx(800, abs=0.01)
    # the quarter hours keep their 90 s release and know no reserve
    assert policy.allowance(Priority.BACKFILL, 100, 0.5, Window.QUARTER) == pytest.approx(60)
    assert policy.allowance(Priority.ENRICH, 100, 0.9999, Window.QUARTER) > 99


def test_a_denied_bulk_request_learns_when_the_shrinking_cushion_lets_it_through() -> None:
    policy = Policy(daily_reserve=0.05, burst=1.0)  # no pacing in the way: the cushion alone
    noon = MIDNIGHT - timedelta(hours=11, minutes=52, seconds=30)
    # enrich at 900 of 1,000 at 12:07:30: the reserve (50) and its 20% cushion (99 at that
    # hour) hold it back
    denial = _decide(900, Priority.ENRICH, noon, policy)
    assert isinstance(denial, Denial)
    # until 900 < 1000 - 50 - 200 * rem / 86400, i.e. rem < 6 h: 18:00 UTC (within a second)
    expected = MIDNIGHT - timedelta(hours=6)
    assert abs((denial.retry_at - expected).total_seconds()) < 2
    assert isinstance(_decide(900, Priority.ENRICH, denial.retry_at, policy), list)
    assert isinstance(
        _decide(900, Priority.ENRICH, expected - timedelta(minutes=1), policy), Denial
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
