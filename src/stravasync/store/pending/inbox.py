"""The webhook inbox: the receiver inserts events here (claiming is store.event_claims).

Strava redelivers an event when our answer is slow or lost; the same event always carries the
same fields, so a dedupe key built from them makes a redelivery a no-op. Of a body only what
the engine may read is stored (:func:`kept_updates`); an ignored event loses even that
(store.event_claims), and processed and ignored events are pruned after the retention
(store.event_reads.prune, run by the daily ``prune_logs`` job).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from stravasync.store.pending import event_reads
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


KEPT_UPDATES = ("title", "type", "private", "authorized")
"""The ``updates`` keys Strava sends; the engine reads only ``authorized`` (it never acts on the
others: sync.events), so nothing else of a body is stored."""
KEPT_LENGTH = 255


def kept_updates(updates: dict[str, Any]) -> dict[str, Any]:
    """``updates`` as stored: Strava's keys only, strings cut to :data:`KEPT_LENGTH`."""
    return {
        k: v[:KEPT_LENGTH] if isinstance(v, str) else v
        for k, v in updates.items()
        if k in KEPT_UPDATES
    }


def _row(event: InboxEvent, key: str, now: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": key,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "aspect_type": event.aspect_type,
        "owner_id": event.owner_id,
        "subscription_id": event.subscription_id,
        "event_time": event.event_time,
        "updates_json": kept_updates(event.updates),
        "received_at": now,
        "state": "pending",
        "due_at": now,
        "attempts": 0,
    }


def _waits(row: dict[str, Any]) -> bool:
    """A create may wait for its athlete's next listing; an update may be an edit of a held
    activity (its own GET: sync.event_confirm) and is claimed at once."""
    return bool(row["object_type"] == "activity" and row["aspect_type"] == "create")


def insert_event(conn: Connection, event: InboxEvent, *, now: datetime) -> bool:
    """Store ``event`` as pending, due now; False when it was a redelivery (already stored)."""
    return bool(insert_events(conn, [event], now=now)[0])


def insert_events(conn: Connection, events: Sequence[InboxEvent], *, now: datetime) -> list[bool]:
    """Store ``events`` as pending, due now, in one statement per few hundred (multi-row
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING``); per event, False for a redelivery
    (already stored, or earlier in ``events``). A create of an athlete whose creates and
    updates wait for their next listing is due with them (store.event_reads.waiting_until)."""
    keys = [event.dedupe_key() for event in events]
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    if not first:
        return []
    stmt = upsert_statement(conn, webhook_events, ["dedupe_key"], None).returning(
        webhook_events.c.dedupe_key
    )
    rows = [_row(events[i], key, now) for key, i in first.items()]
    creates = [r["owner_id"] for r in rows if _waits(r)]
    waiting = event_reads.waiting_until(conn, creates, now=now)
    for row in rows:
        if _waits(row) and row["owner_id"] in waiting:
            row["due_at"] = waiting[row["owner_id"]]
    stored = set(conn.execute(stmt, rows).scalars())
    return [key in stored and first[key] == i for i, key in enumerate(keys)]


def count(conn: Connection, *, state: str | None = None) -> int:
    stmt = select(func.count()).select_from(webhook_events)
    if state is not None:
        stmt = stmt.where(webhook_events.c.state == state)
    return int(conn.execute(stmt).scalar_one())


def last_received_at(conn: Connection) -> datetime | None:
    """When the newest event arrived (the highest id: no scan of a large inbox), or None."""
    stmt = select(webhook_events.c.received_at).order_by(webhook_events.c.id.desc()).limit(1)
    value = conn.execute(stmt).scalar()
    return value if isinstance(value, datetime) else None


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
