"""Claiming webhook inbox events for processing (the receiver inserts them: store.inbox).

Events of one athlete are processed one at a time, in arrival order, so a create and the delete
that follows it can never race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from stravasync.store.schema import webhook_events
from stravasync.work import leases


def claim_event(
    conn: Connection, *, owner: str, now: datetime, lease_seconds: float
) -> dict[str, Any] | None:
    busy = select(webhook_events.c.owner_id).where(
        and_(
            webhook_events.c.state == "pending",
            webhook_events.c.lease_owner.is_not(None),
            webhook_events.c.lease_expires_at >= now,
        )
    )
    rows = leases.claim(
        conn,
        webhook_events,
        key="id",
        owner=owner,
        now=now,
        lease_seconds=lease_seconds,
        where=[webhook_events.c.state == "pending", webhook_events.c.owner_id.not_in(busy)],
        order_by=[webhook_events.c.id],
    )
    return rows[0] if rows else None


def finish_event(
    conn: Connection,
    event_id: int,
    *,
    owner: str,
    state: str,
    now: datetime,
    error: str | None = None,
    attempts: int | None = None,
    due_at: datetime | None = None,
) -> bool:
    values: dict[str, Any] = {"state": state, "last_error": error}
    if state in ("done", "ignored", "dead"):
        values["processed_at"] = now
    if state == "ignored":  # kept only as a record that it came: its body is nobody's business
        values["updates_json"] = None
    if attempts is not None:
        values["attempts"] = attempts
    if due_at is not None:
        values["due_at"] = due_at
    return leases.release(
        conn, webhook_events, key="id", ident=event_id, owner=owner, values=values
    )


def pending_count(conn: Connection) -> int:
    return int(
        conn.execute(select(func.count()).where(webhook_events.c.state == "pending")).scalar_one()
    )


def next_due_at(conn: Connection) -> datetime | None:
    return leases.next_claimable(conn, webhook_events, where=[webhook_events.c.state == "pending"])
