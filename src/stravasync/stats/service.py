"""Read an athlete's stats (the data API, the CLI, the dashboard). Never writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from stravasync.stats import queries
from stravasync.stats.compute import STATS_VERSION, compute_stats


def athlete_stats(conn: Connection, athlete_id: int) -> dict[str, Any]:
    """JSON-ready stats of an athlete: the cache when it is current, else computed now.

    The shape is documented in :func:`stravasync.stats.compute.compute_stats`. An athlete with no
    activities gets zeros and empty lists, not an error.
    """
    current = queries.cached(conn, athlete_id)
    if current is not None and current[0] == queries.fingerprint(conn, athlete_id, STATS_VERSION):
        return current[1]
    return compute_stats(athlete_id, queries.activity_facts(conn, athlete_id), None)
