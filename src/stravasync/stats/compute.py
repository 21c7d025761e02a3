"""All of an athlete's stats from their activity facts: one pure function, JSON-ready output."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from stravasync.stats.eddington import eddington_report
from stravasync.stats.facts import ActivityFacts
from stravasync.stats.rollups import races, records, rollups

STATS_VERSION = 1  # bump when the shape or a rule changes: cached stats are then recomputed


def compute_stats(
    athlete_id: int, facts: Iterable[ActivityFacts], computed_at: datetime | None
) -> dict[str, Any]:
    """The stats document served at ``GET /api/athletes/{id}/stats``.

    Keys: ``athlete_id``, ``version``, ``computed_at`` (ISO or None when computed on the fly),
    ``activity_count``, ``day_basis`` ("local"), ``eddington`` ({overall|ride|run: {km|miles:
    {number, next, days_needed_for_next, days_at_or_above_next}}}), ``rollups`` ({weekly|monthly|
    yearly: [{period, sport, count, distance_m, moving_time_s, elevation_m}]}), ``races``
    (newest first) and ``records`` ({overall|ride|run: {longest, biggest_climb}}, None if empty).
    """
    items = list(facts)
    return {
        "athlete_id": athlete_id,
        "version": STATS_VERSION,
        "computed_at": computed_at.isoformat() if computed_at else None,
        "activity_count": len(items),
        "day_basis": "local",
        "eddington": eddington_report(items),
        "rollups": rollups(items),
        "races": races(items),
        "records": records(items),
    }
