"""The webhook inbox: the receiver inserts events here (claiming is store.event_claims).

Strava redelivers an event when our answer is slow or lost; the same event always carries the
same fields, so a dedupe key built from them makes a redelivery a no-op.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from stravasync.store.schema import webhook_events
from stravasync.store.upsert import upsert_statement
from stravasync.work import leases


@dataclass(frozen=True, slots=True)
class InboxEvent:
    """One validated Strava webhook event."""

    object_type: str
    object_id: int
    aspect_type: str
    owner_id: int
    subscription_id: int
    event_time: int
    updates: dict[str, Any]

    def dedupe_key(self) -> str:
        updates = json.dumps(self.updates, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(updates.encode()).hexdigest()[:16]
        return (
            f"{self.subscription_id}:{self.owner_id}:{self.object_type}:{self.object_id}:"
            f"{self.aspect_type}:{self.event_time}:{digest}"
        )


def insert_event(conn: Connection, event: InboxEvent, *, now: datetime) -> bool:
    """Store ``event`` as pending, due now; False when it was a redelivery (already stored)."""
    stmt = upsert_statement(conn, webhook_events, ["dedupe_key"], None).returning(
        webhook_events.c.id
    )
    result = conn.execute(
        stmt,
        {
            "dedupe_key": event.dedupe_key(),
            "object_type": event.object_type,
            "object_id": event.object_id,
            "aspect_type": event.aspect_type,
            "owner_id": event.owner_id,
            "subscription_id": event.subscription_id,
            "event_time": event.event_time,
            "updates_json": event.updates,
            "received_at": now,
            "state": "pending",
            "due_at": now,
            "attempts": 0,
        },
    )
    return result.first() is not None


def count(conn: Connection, *, state: str | None = None) -> int:
    stmt = select(func.count()).select_from(webhook_events)
    if state is not None:
        stmt = stmt.where(webhook_events.c.state == state)
    return int(conn.execute(stmt).scalar_one())


def dead_events(conn: Connection, *, limit: int = 100) -> list[dict[str, Any]]:
    stmt = (
        select(webhook_events)
        .where(webhook_events.c.state == "dead")
        .order_by(webhook_events.c.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def requeue(conn: Connection, event_id: int, *, now: datetime) -> bool:
    """Put a dead event back in the queue, due now, with a fresh attempt count."""
    return leases.requeue_dead(
        conn,
        webhook_events,
        key="id",
        ident=event_id,
        now=now,
        last_error=None,
        processed_at=None,
    )
