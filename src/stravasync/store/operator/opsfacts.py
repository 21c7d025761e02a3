"""Reads behind the operator's alerts and health summary: counts only, no athlete id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, func, select

from stravasync.store.operator.controls import DEAD_QUEUES
from stravasync.store.schema import activities, athletes, sync_state, webhook_events


def dead_letters(conn: Connection) -> int:
    """Dead letters in every queue: athletes whose sync gave up, jobs, events, notifications."""
    total = int(
        conn.execute(
            select(func.count()).select_from(sync_state).where(sync_state.c.dead.is_(True))
        ).scalar_one()
    )
    for table in DEAD_QUEUES:
        total += int(
            conn.execute(
                select(func.count()).select_from(table).where(table.c.state == "dead")
            ).scalar_one()
        )
    return total


def athletes_by_status(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(athletes.c.status, func.count()).group_by(athletes.c.status))
    return {str(status): int(n) for status, n in rows}


def synced_since(conn: Connection, since: datetime) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(sync_state)
            .where(sync_state.c.last_success_at >= since)
        ).scalar_one()
    )


def last_webhook_event(conn: Connection) -> datetime | None:
    value: datetime | None = conn.execute(select(func.max(webhook_events.c.received_at))).scalar()
    return value


def new_activities(conn: Connection, *, started_after: datetime, seen_after: datetime) -> int:
    """Activities that started after ``started_after`` and were first mirrored after
    ``seen_after``: found by polling when no webhook event announced them."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(activities)
            .where(
                and_(activities.c.start_date > started_after, activities.c.first_seen > seen_after)
            )
        ).scalar_one()
    )
