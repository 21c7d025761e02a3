"""The allowance for reads webhook events Strava did not confirm (sync.event_reads): pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.sync.planning.event_reads import (
    EventReadLimits,
    Spent,
    covered,
    may_read,
    quiet,
    worst_case_daily,
    worst_case_quarter,
    worth_a_get,
)

NOW = datetime(2026, 4, 6, 9, 7, 30, tzinfo=UTC)
QUARTER_END = datetime(2026, 4, 6, 9, 15, tzinfo=UTC)
DAY_END = datetime(2026, 4, 7, tzinfo=UTC)
LIMITS = EventReadLimits()  # the default quota: 100 reads a quarter hour, 1,000 a day


def test_the_defaults_give_each_pool_a_tenth_of_each_window() -> None:
    assert (LIMITS.quarter, LIMITS.daily) == (10, 100)
    # the suspects' pool and one clean read per athlete, the clean pool at most
    assert worst_case_daily(LIMITS, 8) == 108
    assert worst_case_daily(LIMITS, 5_000) == 200
    assert (worst_case_quarter(LIMITS, 3), worst_case_quarter(LIMITS, 200)) == (13, 20)
    extended = EventReadLimits(read_15min=300, read_daily=3_000)
    assert (extended.quarter, extended.daily, worst_case_daily(extended, 1_000)) == (30, 300, 600)
    # a share so small it rounds to nothing still lets one read through
    assert EventReadLimits(share=0.001).quarter == 1
    # the day holds at most 96 quarter hours' shares
    small = EventReadLimits(share=0.5, read_15min=10, read_daily=10_000)
    assert worst_case_daily(small, 0) == 480
    assert worst_case_daily(small, 10_000) == 960


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


def test_the_suspects_pool_closes_both_kinds_until_the_quarter_hour_or_the_day() -> None:
    for listing in (True, False):
        # a suspect: the athlete already spent an unconfirmed read today
        suspect = {"athlete_day": 1, "clean_quarter": 3, "clean_day": 3}
        assert may_read(LIMITS, Spent(quarter=13, day=13, **suspect), NOW, listing=listing) == (
            QUARTER_END
        )
        assert may_read(LIMITS, Spent(quarter=3, day=103, **suspect), NOW, listing=listing) == (
            DAY_END
        )
        assert may_read(LIMITS, Spent(quarter=12, day=102, **suspect), NOW, listing=listing) is None


def test_a_flood_on_others_does_not_hold_back_a_clean_athlete() -> None:
    """Three flooded athletes spent the suspects' whole quarter hour and day: an athlete
    with no unconfirmed read today still reads, from the clean pool."""
    flooded = Spent(quarter=103, day=103, clean_quarter=3, clean_day=3)
    assert flooded.clean and flooded.pool() == (3, 3)
    for listing in (True, False):
        assert may_read(LIMITS, flooded, NOW, listing=listing) is None
    # once it spent one itself it is a suspect and waits with the others
    suspect = Spent(athlete_day=1, quarter=104, day=104, clean_quarter=4, clean_day=4)
    assert not suspect.clean and suspect.pool() == (100, 100)
    assert may_read(LIMITS, suspect, NOW, listing=False) == DAY_END


def test_the_clean_pool_is_bounded_too() -> None:
    """An attacker touching ten athletes for the first time in one quarter hour spends the
    clean pool: an eleventh clean athlete waits for the quarter hour (or the day)."""
    assert may_read(LIMITS, Spent(clean_quarter=10, clean_day=10), NOW, listing=False) == (
        QUARTER_END
    )
    assert may_read(LIMITS, Spent(clean_quarter=0, clean_day=100), NOW, listing=True) == DAY_END
    assert may_read(LIMITS, Spent(clean_quarter=9, clean_day=99), NOW, listing=True) is None


def test_a_listing_after_the_event_answers_for_it() -> None:
    assert covered(NOW, NOW)
    assert covered(NOW, NOW + timedelta(seconds=1))
    assert not covered(NOW, NOW - timedelta(seconds=1))
    assert not covered(NOW, None)


def test_a_lone_event_of_an_athlete_with_no_unconfirmed_read_this_quarter_hour_is_quiet() -> None:
    assert quiet(Spent(), siblings=False)
    assert quiet(Spent(athlete_day=3), siblings=False)  # earlier quarter hours do not count
    assert not quiet(Spent(), siblings=True)
    # a flood spread thin: after one GET that confirmed nothing, the next event lists
    assert not quiet(Spent(athlete_reads=1), siblings=False)
    assert not quiet(Spent(athlete_listings=1), siblings=False)


def test_an_event_a_listing_did_not_show_is_worth_a_get_only_alone() -> None:
    listed = Spent(athlete_listings=1, athlete_day=1, last_listing=NOW)
    assert worth_a_get(LIMITS, listed, NOW, siblings=False)  # a late upload, an old edit
    assert not worth_a_get(LIMITS, listed, NOW, siblings=True)  # a flood: the listing stands
    spent_one = Spent(athlete_listings=1, athlete_reads=1, athlete_day=2, last_listing=NOW)
    assert not worth_a_get(LIMITS, spent_one, NOW, siblings=False)
    # the suspects' pool spent: no GET either
    full = Spent(athlete_listings=1, athlete_day=1, quarter=10, day=10, last_listing=NOW)
    assert not worth_a_get(LIMITS, full, NOW, siblings=False)
