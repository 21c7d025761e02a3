"""Recompute an athlete's cached stats after a sync that changed them (called by the engine).

Incremental where it is cheap: a fingerprint of the athlete's rows (count, newest ``updated_at``,
an id checksum) tells in one indexed aggregate whether anything changed since the cached stats
were built; only then are the facts (a narrow column scan) read and the stats recomputed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection

from stravasync.stats import queries
from stravasync.stats.compute import STATS_VERSION, compute_stats

log = logging.getLogger(__name__)


def refresh_athlete_stats(
    conn: Connection, athlete_id: int, now: datetime, *, force: bool = False
) -> bool:
    """Bring the cached stats of ``athlete_id`` up to date; True if they were recomputed.

    Call inside a write transaction; ``now`` is stored as ``computed_at``.
    """
    fp = queries.fingerprint(conn, athlete_id, STATS_VERSION)
    current = queries.cached(conn, athlete_id)
    if not force and current is not None and current[0] == fp:
        return False
    stats = compute_stats(athlete_id, queries.activity_facts(conn, athlete_id), now)
    queries.store_cached(conn, athlete_id, fp, stats, now)
    log.info(
        "stats refreshed",
        extra={"athlete_id": athlete_id, "activities": stats["activity_count"]},
    )
    return True
