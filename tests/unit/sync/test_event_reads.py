"""The allowance for reads webhook events Strava did not confirm (sync.event_reads): pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.sync.event_reads import EventReadLimits, Spent, covered, may_read, worst_case_daily

NOW = datetime(2026, 4, 6, 9, 7, 30, tzinfo=UTC)
QUARTER_END = datetime(2026, 4, 6, 9, 15, tzinfo=UTC)
DAY_END = datetime(2026, 4, 7, tzinfo=UTC)
LIMITS = EventReadLimits()  # the default quota: 100 reads a quarter hour, 1,000 a day


def test_the_defaults_give_a_tenth_of_each_window_and_100_reads_a_day() -> None:
    assert (LIMITS.quarter, LIMITS.daily) == (10, 100)
    assert worst_case_daily(LIMITS) == 100
    extended = EventReadLimits(read_15min=300, read_daily=3_000)
    assert (extended.quarter, extended.daily, worst_case_daily(extended)) == (30, 300, 300)
    # a share so small it rounds to nothing still lets one read through
    assert EventReadLimits(share=0.001).quarter == 1
    # the day holds at most 96 quarter hours' shares
    assert worst_case_daily(EventReadLimits(share=0.5, read_15min=10, read_daily=10_000)) == 480


def test_a_fresh_athlete_may_list_and_read_at_once() -> None:
    assert may_read(LIMITS, Spent(), NOW, listing=True) is None
    assert may_read(LIMITS, Spent(), NOW, listing=False) is None


def test_listings_of_one_athlete_keep_the_interval() -> None:
    last = NOW - timedelta(seconds=10)
    assert may_read(LIMITS, Spent(last_listing=last), NOW, listing=True) == last + timedelta(
        seconds=30
    )
    assert (
        may_read(LIMITS, Spent(last_listing=NOW - timedelta(seconds=30)), NOW, listing=True) is None
    )
    # the interval is about listings: a single read for an event already listed may go
    assert may_read(LIMITS, Spent(last_listing=last), NOW, listing=False) is None


def test_an_athletes_allowances_end_at_the_quarter_hour() -> None:
    assert may_read(LIMITS, Spent(athlete_listings=4), NOW, listing=True) == QUARTER_END
    assert may_read(LIMITS, Spent(athlete_listings=4), NOW, listing=False) is None
    assert may_read(LIMITS, Spent(athlete_reads=2), NOW, listing=False) == QUARTER_END
    assert may_read(LIMITS, Spent(athlete_reads=2), NOW, listing=True) is None


def test_everyones_share_closes_both_kinds_until_the_quarter_hour_or_the_day() -> None:
    for listing in (True, False):
        assert may_read(LIMITS, Spent(quarter=10, day=10), NOW, listing=listing) == QUARTER_END
        assert may_read(LIMITS, Spent(quarter=0, day=100), NOW, listing=listing) == DAY_END
        assert may_read(LIMITS, Spent(quarter=9, day=99), NOW, listing=listing) is None


def test_a_listing_after_the_event_answers_for_it() -> None:
    assert covered(NOW, NOW)
    assert covered(NOW, NOW + timedelta(seconds=1))
    assert not covered(NOW, NOW - timedelta(seconds=1))
    assert not covered(NOW, None)
