"""One-off jobs (purge an athlete's data, ...): rows with a due time, a lease and a dedupe key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from stravasync.store.schema import jobs
from stravasync.store.upsert import upsert_rows
from stravasync.work import leases


def enqueue(
    conn: Connection,
    *,
    kind: str,
    dedupe_key: str,
    due_at: datetime,
    now: datetime,
    athlete_id: int | None = None,
    payload: dict[str, Any] | None = None,
    priority: int = 50,
) -> None:
    """Add a job unless one with the same dedupe key exists."""
    row = {
        "kind": kind,
        "athlete_id": athlete_id,
        "dedupe_key": dedupe_key,
        "priority": priority,
        "payload_json": payload,
        "state": "pending",
        "due_at": due_at,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    upsert_rows(conn, jobs, [row], key=["dedupe_key"], update=())


def claim(
    conn: Connection, *, owner: str, now: datetime, lease_seconds: float
) -> dict[str, Any] | None:
    rows = leases.claim(
        conn,
        jobs,
        key="id",
        owner=owner,
        now=now,
        lease_seconds=lease_seconds,
        where=[jobs.c.state == "pending"],
        order_by=[jobs.c.priority],
    )
    return rows[0] if rows else None


def finish(
    conn: Connection,
    job_id: int,
    *,
    owner: str,
    state: str,
    now: datetime,
    error: str | None = None,
    attempts: int | None = None,
    due_at: datetime | None = None,
) -> bool:
    values: dict[str, Any] = {"state": state, "updated_at": now, "last_error": error}
    if attempts is not None:
        values["attempts"] = attempts
    if due_at is not None:
        values["due_at"] = due_at
    return leases.release(conn, jobs, key="id", ident=job_id, owner=owner, values=values)


def dead_jobs(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    stmt = select(jobs).where(jobs.c.state == "dead").order_by(jobs.c.updated_at.desc())
    return [dict(r) for r in conn.execute(stmt.limit(limit)).mappings()]


def next_due_at(conn: Connection) -> datetime | None:
    return leases.next_claimable(conn, jobs, where=[jobs.c.state == "pending"])
