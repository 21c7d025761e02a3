"""Operator controls over many rows at once: sync everyone now, reset what is stuck.

Both write intent into the queues (due times, states); the engines, wherever they run, do the
work. Nothing here talks to Strava.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Table, and_, func, select, update

from stravasync.store.schema import (
    athletes,
    jobs,
    notifications,
    scheduler_jobs,
    sync_state,
    webhook_events,
)

LEASED_TABLES: tuple[Table, ...] = (sync_state, webhook_events, jobs, notifications, scheduler_jobs)
DEAD_QUEUES: tuple[Table, ...] = (jobs, webhook_events, notifications)


def sync_everyone(
    conn: Connection, *, mode: str, now: datetime, include_opted_out: bool = False
) -> int:
    """Ask for ``mode`` now for every active athlete (opted-out ones only when asked): due
    now, dead letters cleared; an athlete's own pending request is kept. Athletes asked."""
    who = athletes.c.status == "active"
    if not include_opted_out:
        who = and_(who, athletes.c.auto_sync.is_(True))
    result = conn.execute(
        update(sync_state)
        .where(sync_state.c.athlete_id.in_(select(athletes.c.id).where(who)))
        .values(
            requested_mode=func.coalesce(sync_state.c.requested_mode, mode),
            due_at=now,
            dead=False,
            attempts=0,
            cancel_requested=False,
            updated_at=now,
        )
    )
    return int(result.rowcount)


def release_expired_leases(conn: Connection, now: datetime) -> dict[str, int]:
    """Drop every lease that has expired (its holder is gone): rows per table released.

    Claims already ignore expired leases; releasing them makes status and dashboards stop
    showing a dead process as the holder, and is what "reset stuck" means in this design.
    """
    out: dict[str, int] = {}
    for table in LEASED_TABLES:
        n = conn.execute(
            update(table)
            .where(table.c.lease_owner.is_not(None), table.c.lease_expires_at < now)
            .values(lease_owner=None, lease_expires_at=None)
        ).rowcount
        out[table.name] = int(n)
    return out


def requeue_all_dead(conn: Connection, now: datetime) -> dict[str, int]:
    """Every dead letter back in its queue, due now, with fresh attempts: rows per queue."""
    out: dict[str, int] = {}
    n = conn.execute(
        update(sync_state)
        .where(sync_state.c.dead.is_(True))
        .values(dead=False, attempts=0, due_at=now, lease_owner=None, lease_expires_at=None)
    ).rowcount
    out["athletes"] = int(n)
    for table in DEAD_QUEUES:
        n = conn.execute(
            update(table)
            .where(table.c.state == "dead")
            .values(
                state="pending", due_at=now, attempts=0, lease_owner=None, lease_expires_at=None
            )
        ).rowcount
        out[table.name] = int(n)
    return out
