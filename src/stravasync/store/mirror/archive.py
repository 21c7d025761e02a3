"""Queries the archive import needs: which ids are already mirrored, and the athlete's zone."""

from __future__ import annotations

from sqlalchemy import Connection, and_, select

from stravasync.store.schema import activities, athletes


def existing(conn: Connection, ids: list[int]) -> dict[int, tuple[int, str, bool]]:
    """``{id: (athlete_id, source, deleted)}`` for the ids already stored (any athlete)."""
    out: dict[int, tuple[int, str, bool]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        stmt = select(
            activities.c.id,
            activities.c.athlete_id,
            activities.c.source,
            activities.c.deleted_at,
        ).where(activities.c.id.in_(chunk))
        for row in conn.execute(stmt):
            out[int(row.id)] = (int(row.athlete_id), str(row.source), row.deleted_at is not None)
    return out


def latest_timezone(conn: Connection, athlete_id: int) -> str | None:
    """The athlete's zone: ``athletes.timezone``, else that of their newest API activity."""
    value = conn.execute(select(athletes.c.timezone).where(athletes.c.id == athlete_id)).scalar()
    if value:
        return str(value)
    stmt = (
        select(activities.c.timezone)
        .where(
            and_(
                activities.c.athlete_id == athlete_id,
                activities.c.timezone.is_not(None),
                activities.c.source == "api",
            )
        )
        .order_by(activities.c.start_date.desc())
        .limit(1)
    )
    found = conn.execute(stmt).scalar()
    return str(found) if found else None


def athlete_known(conn: Connection, athlete_id: int) -> bool:
    return (
        conn.execute(select(athletes.c.id).where(athletes.c.id == athlete_id)).first() is not None
    )
