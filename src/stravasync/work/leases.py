"""Claiming due rows with a lease, the one mechanism behind all pending work.

A claim picks rows that are due and not leased (or whose lease expired: a crashed process),
and stamps them with the claimant's ``lease_owner`` and ``lease_expires_at``, in one transaction.
On PostgreSQL the candidate rows are locked with ``FOR UPDATE SKIP LOCKED`` so N processes never
claim the same row; on SQLite the write transaction begins IMMEDIATE, so there is one claimant at
a time. Every table used here has ``due_at``, ``lease_owner`` and ``lease_expires_at`` columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, func, or_, select, update


def lease_free(table: Table, now: datetime) -> ColumnElement[bool]:
    return or_(table.c.lease_owner.is_(None), table.c.lease_expires_at < now)


def next_claimable(
    conn: Connection,
    table: Table,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    due_column: str = "due_at",
    then_by: Sequence[Any] = (),
) -> datetime | None:
    """When a row of ``table`` (matching ``where``) can next be claimed; None: no row.

    ``then_by``: the claim's tie order, so the first read walks the claim's own (partial)
    index rather than any index on the due time that also holds rows ``where`` excludes.

    That is a row's due time, or its lease's expiry if that is later: a sleeping worker waits
    for this, not for the due time alone, since a row due long ago but leased by another process
    (alive: renewed by its heartbeat; killed: expiring) is claimable only when the lease runs
    out. Two indexed reads: the first row by due time that no lease holds past it, then the
    earliest lease end among the rows due before that one (only leased rows: a few).
    """
    due = table.c[due_column]
    held_past_due = and_(table.c.lease_owner.is_not(None), table.c.lease_expires_at > due)
    not_held = or_(
        table.c.lease_owner.is_(None),
        table.c.lease_expires_at.is_(None),
        table.c.lease_expires_at <= due,
    )
    first_free: datetime | None = conn.execute(
        select(due).where(*where, not_held).order_by(due, *then_by).limit(1)
    ).scalar()
    held = [*where, held_past_due]
    if first_free is not None:
        held.append(due < first_free)
    lease_end: datetime | None = conn.execute(
        select(func.min(table.c.lease_expires_at)).where(*held)
    ).scalar()
    present = [t for t in (first_free, lease_end) if t is not None]
    return min(present) if present else None


def claim(
    conn: Connection,
    table: Table,
    *,
    key: str,
    owner: str,
    now: datetime,
    lease_seconds: float,
    where: Sequence[ColumnElement[bool]] = (),
    order_by: Sequence[Any] = (),
    then_by: Sequence[Any] = (),
    limit: int = 1,
    due_column: str = "due_at",
) -> list[dict[str, Any]]:
    """Lease up to ``limit`` due rows of ``table``; returns them as they were before the claim.

    Order: ``order_by``, then the longest overdue, then ``then_by`` (ties of due time)."""
    due = table.c[due_column]
    cond = and_(due <= now, lease_free(table, now), *where)
    stmt = select(table).where(cond).order_by(*order_by, due, *then_by).limit(limit)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=table)
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    if rows:
        ids = [r[key] for r in rows]
        conn.execute(
            update(table)
            .where(table.c[key].in_(ids))
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
        )
    return rows


def renew(
    conn: Connection,
    table: Table,
    *,
    key: str,
    ident: Any,
    owner: str,
    now: datetime,
    lease_seconds: float,
) -> bool:
    """Extend a lease we still hold; False means it was lost (expired and taken over)."""
    result = conn.execute(
        update(table)
        .where(and_(table.c[key] == ident, table.c.lease_owner == owner))
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
    )
    return result.rowcount == 1


def release(
    conn: Connection, table: Table, *, key: str, ident: Any, owner: str, values: dict[str, Any]
) -> bool:
    """Drop our lease and write ``values`` (new due_at, state, error...) if we still hold it."""
    result = conn.execute(
        update(table)
        .where(and_(table.c[key] == ident, table.c.lease_owner == owner))
        .values(lease_owner=None, lease_expires_at=None, **values)
    )
    return result.rowcount == 1


def holders(conn: Connection, table: Table, now: datetime) -> set[str]:
    """The owners holding an unexpired lease on some row of ``table``."""
    stmt = select(table.c.lease_owner).where(
        table.c.lease_owner.is_not(None), table.c.lease_expires_at >= now
    )
    return {str(v) for v in conn.execute(stmt.distinct()).scalars()}


def release_owners(conn: Connection, table: Table, *, key: str, owners: Sequence[str]) -> list[Any]:
    """Drop every lease held by ``owners`` (processes known to be dead); returns the row keys.

    The rows keep their due time, so they are claimable at once, from their last checkpoint."""
    if not owners:
        return []
    cond = table.c.lease_owner.in_(list(owners))
    keys = list(conn.execute(select(table.c[key]).where(cond)).scalars())
    if keys:
        conn.execute(update(table).where(cond).values(lease_owner=None, lease_expires_at=None))
    return keys


def requeue_dead(
    conn: Connection, table: Table, *, key: str, ident: Any, now: datetime, **extra: Any
) -> bool:
    """Put a dead-lettered row back in the queue: due now, fresh attempts, no lease."""
    result = conn.execute(
        update(table)
        .where(and_(table.c[key] == ident, table.c.state == "dead"))
        .values(
            state="pending",
            due_at=now,
            attempts=0,
            lease_owner=None,
            lease_expires_at=None,
            **extra,
        )
    )
    return result.rowcount == 1
