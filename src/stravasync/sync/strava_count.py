"""Strava's own count of an athlete's activities: the total that gives a backfill an ETA.

``GET /athletes/{id}/stats`` counts rides, runs and swims (and, Strava says, only activities
visible to everyone), so its count is a lower bound of what the listing returns. It costs one
read, worth it only for a history longer than one page: it is fetched when a backfill's first
page came back full (so a second page follows, and the extra read is at most a third of the
pass), before that second page, at the pass's budget class, and not again while a stored count
is younger than :data:`COUNT_MAX_AGE`. By default (``STRAVASYNC_SYNC_STRAVA_COUNT=watched``)
only while someone watches the run's progress: a service's backfill of many athletes would
otherwise spend about a tenth more reads on a total nobody looks at (253 of the 1,000
athletes of the backfill benchmark have a full first page). Pure: the time comes in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from stravasync.strava.client import MAX_PER_PAGE
from stravasync.strava.models import ActivityStats
from stravasync.sync.outcomes.progress import Goal

COUNT_MAX_AGE = timedelta(days=7)


def count_wanted(setting: str, watched: bool) -> bool:
    """Whether this run reads the count at all: ``always``, ``never``, or ``watched`` (only
    when the run's progress is shown)."""
    return setting == "always" or (setting == "watched" and watched)


def count_due(
    first_page: int,
    counted_at: datetime | None,
    now: datetime,
    *,
    per_page: int = MAX_PER_PAGE,
    max_age: timedelta = COUNT_MAX_AGE,
) -> bool:
    """Whether a backfill whose first page held ``first_page`` activities fetches the count:
    only after a full page, and only if no count was stored within ``max_age``."""
    if first_page < per_page:
        return False
    return counted_at is None or now - counted_at >= max_age


def lower_bound(stats: ActivityStats) -> int:
    """All-time rides + runs + swims: what the listing holds at least."""
    totals = (stats.all_ride_totals, stats.all_run_totals, stats.all_swim_totals)
    return sum(max(0, t.count) for t in totals if t is not None)


def stored_count(state: Mapping[str, Any]) -> int | None:
    """The count stored on an athlete's sync state, if any."""
    value = state.get("strava_count")
    return None if value is None else int(value)


def goal(listed: int, count: int | None) -> Goal | None:
    """A backfill's progress goal: None without a count."""
    return None if count is None else Goal(listed=listed, at_least=count)
