"""Queries for stats: an athlete's activity facts, a cheap change fingerprint, the stats cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from stravasync.clock import as_utc
from stravasync.stats.facts import ActivityFacts, local_start
from stravasync.store.schema import activities, athlete_stats, athletes
from stravasync.store.upsert import upsert_rows

_FACT_COLUMNS = (
    activities.c.id,
    activities.c.name,
    activities.c.sport_type,
    activities.c.type,
    activities.c.workout_type,
    activities.c.start_date,
    activities.c.start_date_local,
    activities.c.utc_offset,
    activities.c.timezone,
    activities.c.distance,
    activities.c.moving_time,
    activities.c.elapsed_time,
    activities.c.total_elevation_gain,
)


def athlete_timezone(conn: Connection, athlete_id: int) -> str | None:
    value = conn.execute(select(athletes.c.timezone).where(athletes.c.id == athlete_id)).scalar()
    return str(value) if value else None


def activity_facts(conn: Connection, athlete_id: int) -> Iterator[ActivityFacts]:
    """Every live (not deleted) activity of an athlete with a known start, as stats facts."""
    tz = athlete_timezone(conn, athlete_id)
    stmt = (
        select(*_FACT_COLUMNS)
        .where(and_(activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None)))
        .order_by(activities.c.id)
    )
    for row in conn.execute(stmt):
        start = local_start(
            start_date_local=row.start_date_local,
            start_date=row.start_date,
            utc_offset=row.utc_offset,
            timezone=row.timezone,
            athlete_timezone=tz,
        )
        if start is None:
            continue
        yield ActivityFacts(
            id=int(row.id),
            name=row.name or "",
            sport=row.sport_type or row.type or "Unknown",
            workout_type=row.workout_type,
            start_local=start,
            distance_m=float(row.distance or 0.0),
            moving_time_s=int(row.moving_time or 0),
            elapsed_time_s=int(row.elapsed_time or 0),
            elevation_m=float(row.total_elevation_gain or 0.0),
        )


def fingerprint(conn: Connection, athlete_id: int, version: int) -> str:
    """Changes whenever a row of the athlete is inserted, updated, tombstoned or removed.

    Every write to ``activities`` sets ``updated_at``; a hard removal lowers the row count.
    """
    row = conn.execute(
        select(
            func.count(),
            func.max(activities.c.updated_at),
            func.coalesce(func.sum(activities.c.id % 1000003), 0),
        ).where(activities.c.athlete_id == athlete_id)
    ).one()
    newest = as_utc(row[1]).isoformat() if row[1] is not None else "-"
    return f"v{version}:{int(row[0])}:{newest}:{int(row[2])}"


def cached(conn: Connection, athlete_id: int) -> tuple[str, dict[str, Any]] | None:
    """The cached (fingerprint, stats) of an athlete, if any."""
    row = conn.execute(
        select(athlete_stats.c.fingerprint, athlete_stats.c.stats_json).where(
            athlete_stats.c.athlete_id == athlete_id
        )
    ).first()
    return (str(row.fingerprint), dict(row.stats_json)) if row else None


def store_cached(
    conn: Connection, athlete_id: int, fp: str, stats: dict[str, Any], now: datetime
) -> None:
    upsert_rows(
        conn,
        athlete_stats,
        [{"athlete_id": athlete_id, "stats_json": stats, "fingerprint": fp, "computed_at": now}],
        key=["athlete_id"],
    )
