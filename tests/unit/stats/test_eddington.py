"""Eddington numbers against hand-computed cases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from stravasync.stats.eddington import KM, MILE, daily_totals, eddington, eddington_report
from stravasync.stats.facts import ActivityFacts, local_start


def fact(
    id: int, start: datetime, km: float, sport: str = "Ride", workout_type: int | None = None
) -> ActivityFacts:
    return ActivityFacts(
        id=id,
        name=f"a{id}",
        sport=sport,
        workout_type=workout_type,
        start_local=start,
        distance_m=km * 1000,
        moving_time_s=3600,
        elapsed_time_s=3700,
        elevation_m=100.0,
    )


def test_no_days_means_zero_and_one_day_needed() -> None:
    e = eddington([], KM)
    assert (e.number, e.days_needed_for_next, e.days_at_or_above_next) == (0, 1, 0)


def test_hand_computed_case() -> None:
    # days (km): 10, 8, 5, 4, 4, 3, 1 -> sorted ranks: 10>=1, 8>=2, 5>=3, 4>=4, 4<5 -> E = 4
    # E+1 = 5: days with >= 5 km: 10, 8, 5 -> 3, need 2 more
    e = eddington([10_000, 8_000, 5_000, 4_000, 4_000, 3_000, 1_000], KM)
    assert e.number == 4
    assert e.days_needed_for_next == 2
    assert e.days_at_or_above_next == 3


def test_ties_at_exactly_e_units_count() -> None:
    # three days of exactly 3 km: E = 3 (>= counts), E+1 needs 4 days of 4 km: 0 qualify yet
    e = eddington([3_000, 3_000, 3_000], KM)
    assert (e.number, e.days_needed_for_next) == (3, 4)
    # just below 3 km on one day drops it to 2
    assert eddington([3_000, 3_000, 2_999.9], KM).number == 2


def test_exact_miles_survive_float_rounding() -> None:
    ten_miles = 10 * MILE  # 16093.44 m
    e = eddington([ten_miles] * 10, MILE)
    assert e.number == 10
    assert eddington([ten_miles - 1] * 10, MILE).number == 9


def test_km_and_miles_differ() -> None:
    days = [20_000.0] * 16  # 20 km = 12.43 mi each day
    assert eddington(days, KM).number == 16
    assert eddington(days, MILE).number == 12


def test_same_day_activities_sum_before_counting() -> None:
    facts = [
        fact(1, datetime(2026, 1, 1, 8), 1.5),
        fact(2, datetime(2026, 1, 1, 17), 1.5),  # same day: 3 km
        fact(3, datetime(2026, 1, 2, 8), 2.0),
    ]
    totals = daily_totals(facts)
    assert totals == {date(2026, 1, 1): 3000.0, date(2026, 1, 2): 2000.0}
    assert eddington(totals.values(), KM).number == 2


def test_late_evening_local_is_that_local_day_not_the_utc_day() -> None:
    # 23:30 local in UTC-5 is 04:30 UTC the next day; two rides of 2 km.
    # By local day: Jan 1 has 2 km (23:30) and Jan 2 has 2 km (morning) -> E = 2.
    # Grouped by UTC day they would both fall on Jan 2 (4 km on one day) -> E = 1.
    start_utc = datetime(2026, 1, 2, 4, 30, tzinfo=UTC)
    evening = local_start(start_date_local=None, start_date=start_utc, utc_offset=-5 * 3600)
    assert evening == datetime(2026, 1, 1, 23, 30)
    morning = datetime(2026, 1, 2, 9, 0)
    facts = [fact(1, evening, 2.0), fact(2, morning, 2.0)]
    assert eddington(daily_totals(facts).values(), KM).number == 2


def test_local_start_sources_in_order() -> None:
    utc = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    given = datetime(2026, 7, 2, 0, 30)
    assert (
        local_start(start_date_local=given, start_date=utc, utc_offset=0.0, timezone="x") == given
    )
    by_zone = local_start(
        start_date_local=None, start_date=utc, utc_offset=None, timezone="(GMT+01:00) Europe/Paris"
    )
    assert by_zone == datetime(2026, 7, 2, 0, 30)  # CEST in July
    by_athlete = local_start(
        start_date_local=None,
        start_date=utc,
        utc_offset=None,
        timezone="(GMT+00:00) Not/AZone",
        athlete_timezone="America/New_York",
    )
    assert by_athlete == datetime(2026, 7, 1, 18, 30)
    assert local_start(start_date_local=None, start_date=None, utc_offset=None) is None


@pytest.mark.parametrize(
    ("sport", "group_counts"),
    [
        ("Ride", {"overall": 1, "ride": 1, "run": 0}),
        ("TrailRun", {"overall": 1, "ride": 0, "run": 1}),
        ("Swim", {"overall": 1, "ride": 0, "run": 0}),
    ],
)
def test_groups(sport: str, group_counts: dict[str, int]) -> None:
    report = eddington_report([fact(1, datetime(2026, 3, 1, 10), 5.0, sport=sport)])
    assert {g: report[g]["km"]["number"] for g in report} == group_counts
    assert report["overall"]["km"] == {
        "number": 1,
        "next": 2,
        "days_needed_for_next": 1,
        "days_at_or_above_next": 1,
    }
