"""When a backfill asks Strava for its count, and what the count is (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.strava.models import ActivityStats
from stravasync.sync.outcomes.progress import Goal
from stravasync.sync.strava_count import COUNT_MAX_AGE, count_due, goal, lower_bound, stored_count

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_only_a_full_first_page_asks_for_the_count() -> None:
    assert count_due(200, None, NOW) is True
    assert count_due(199, None, NOW) is False  # the history fits in one page: never
    assert count_due(0, None, NOW) is False
    assert count_due(30, None, NOW, per_page=30) is True


def test_a_stored_count_is_not_asked_for_again_within_a_week() -> None:
    assert timedelta(days=7) == COUNT_MAX_AGE
    assert count_due(200, NOW - timedelta(days=6, hours=23), NOW) is False
    assert count_due(200, NOW - timedelta(days=7), NOW) is True
    assert count_due(200, NOW + timedelta(hours=1), NOW) is False  # a clock set back: not due


def test_the_count_is_rides_runs_and_swims_of_all_time() -> None:
    stats = ActivityStats.parse(
        {
            "all_ride_totals": {"count": 120, "distance": 1.0},
            "all_run_totals": {"count": 80},
            "all_swim_totals": {"count": 3},
            "ytd_ride_totals": {"count": 9999},
            "recent_run_totals": {"count": 9999},
        }
    )
    assert lower_bound(stats) == 203
    assert lower_bound(ActivityStats.parse({"all_run_totals": {"count": 5}})) == 5
    assert lower_bound(ActivityStats.parse({})) == 0


def test_a_goal_needs_a_count() -> None:
    assert stored_count({"strava_count": None}) is None and stored_count({}) is None
    assert stored_count({"strava_count": 312}) == 312
    assert goal(200, None) is None
    assert goal(200, 312) == Goal(listed=200, at_least=312)


def test_the_count_is_read_when_the_setting_and_a_watcher_say_so() -> None:
    from stravasync.sync.strava_count import count_wanted

    assert count_wanted("watched", watched=True)
    assert not count_wanted("watched", watched=False)
    assert count_wanted("always", watched=False)
    assert not count_wanted("never", watched=True)
