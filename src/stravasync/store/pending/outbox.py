"""The notifications outbox: rows written in the engine's transaction, delivered by notify/.

``enqueue`` runs inside the caller's transaction, so a change and its notification commit
together. The delivery worker claims due rows with a lease, POSTs them, and marks each one
delivered, retried later, or dead.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from stravasync.store.schema import notifications
from stravasync.store.upsert import upsert_rows
from stravasync.work import leases


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def enqueue(
    conn: Connection,
    *,
    event: str,
    athlete_id: int | None,
    activity_id: int | None,
    payload: dict[str, Any],
    now: datetime,
) -> str:
    """Add one notification, due now; returns its idempotency key."""
    key = new_idempotency_key()
    conn.execute(
        notifications.insert().values(
            idempotency_key=key,
            event=event,
            athlete_id=athlete_id,
            activity_id=activity_id,
            payload_json=payload,
            state="pending",
            due_at=now,
            attempts=0,
            created_at=now,
        )
    )
    return key


def enqueue_once(
    conn: Connection,
    *,
    key: str,
    event: str,
    athlete_id: int | None,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Add a notification under a caller-chosen idempotency key unless one exists; True if
    added (a milestone reached again on a later sync is not sent twice)."""
    row = {
        "idempotency_key": key,
        "event": event,
        "athlete_id": athlete_id,
        "activity_id": None,
        "payload_json": payload,
        "state": "pending",
        "due_at": now,
        "attempts": 0,
        "created_at": now,
    }
    known = conn.execute(
        select(notifications.c.id).where(notifications.c.idempotency_key == key)
    ).first()
    if known is not None:
        return False
    upsert_rows(conn, notifications, [row], key=["idempotency_key"], update=())  # races: no-op
    return True


def claim(
    conn: Connection, *, owner: str, now: datetime, lease_seconds: float, limit: int = 10
) -> list[dict[str, Any]]:
    """Lease up to ``limit`` due pending notifications, oldest first."""
    return leases.claim(
        conn,
        notifications,
        key="id",
        owner=owner,
        now=now,
        lease_seconds=lease_seconds,
        where=[notifications.c.state == "pending"],
        order_by=[notifications.c.id],
        limit=limit,
    )


def mark_delivered(
    conn: Connection, notification_id: int, *, owner: str, status: int, now: datetime
) -> bool:
    return leases.release(
        conn,
        notifications,
        key="id",
        ident=notification_id,
        owner=owner,
        values={
            "state": "delivered",
            "delivered_at": now,
            "last_status": status,
            "last_error": None,
            "attempts": notifications.c.attempts + 1,
        },
    )


def mark_failed(
    conn: Connection,
    notification_id: int,
    *,
    owner: str,
    error: str,
    status: int | None,
    retry_at: datetime | None,
) -> bool:
    """Record a failed attempt: due again at ``retry_at``, or dead when it is None."""
    values: dict[str, Any] = {
        "last_error": error[:500],
        "last_status": status,
        "attempts": notifications.c.attempts + 1,
    }
    if retry_at is None:
        values["state"] = "dead"
    else:
        values["due_at"] = retry_at
    return leases.release(
        conn, notifications, key="id", ident=notification_id, owner=owner, values=values
    )


def requeue(conn: Connection, notification_id: int, *, now: datetime) -> bool:
    """Put a dead notification back in the queue, due now, with a fresh attempt count."""
    return leases.requeue_dead(conn, notifications, key="id", ident=notification_id, now=now)


def recent(conn: Connection, *, state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    stmt = select(notifications).order_by(notifications.c.id.desc()).limit(limit)
    if state is not None:
        stmt = stmt.where(notifications.c.state == state)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def counts(conn: Connection) -> dict[str, int]:
    stmt = select(notifications.c.state, func.count()).group_by(notifications.c.state)
    return {str(state): int(n) for state, n in conn.execute(stmt)}


def next_due_at(conn: Connection) -> datetime | None:
    value: datetime | None = conn.execute(
        select(func.min(notifications.c.due_at)).where(notifications.c.state == "pending")
    ).scalar()
    return value
