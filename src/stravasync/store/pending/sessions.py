"""Sync sessions and their log lines (what the admin API and ``stravasync logs`` show)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update

from stravasync.store.schema import sync_logs, sync_sessions, sync_state

INTERRUPTED = "interrupted"


def new_session_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:10]}"


def start_session(
    conn: Connection, *, athlete_id: int | None, mode: str, trigger: str, now: datetime
) -> str:
    session_id = new_session_id(now)
    conn.execute(
        sync_sessions.insert().values(
            id=session_id,
            athlete_id=athlete_id,
            mode=mode,
            trigger=trigger,
            status="running",
            started_at=now,
        )
    )
    return session_id


def finish_session(
    conn: Connection,
    session_id: str,
    *,
    status: str,
    now: datetime,
    api_calls: int,
    summary: dict[str, Any],
) -> None:
    conn.execute(
        update(sync_sessions)
        .where(sync_sessions.c.id == session_id)
        .values(status=status, finished_at=now, api_calls=api_calls, summary_json=summary)
    )


def discard_session(conn: Connection, session_id: str) -> None:
    """Remove a session that did nothing (and any line it wrote)."""
    conn.execute(delete(sync_logs).where(sync_logs.c.session_id == session_id))
    conn.execute(delete(sync_sessions).where(sync_sessions.c.id == session_id))


def add_log(
    conn: Connection,
    session_id: str,
    *,
    level: str,
    message: str,
    now: datetime,
    athlete_id: int | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        sync_logs.insert().values(
            session_id=session_id,
            athlete_id=athlete_id,
            level=level,
            message=message,
            metadata_json=metadata,
            created_at=now,
        )
    )


def session_logs(
    conn: Connection, session_id: str, *, after_id: int = 0, limit: int = 1000
) -> list[dict[str, Any]]:
    stmt = (
        select(sync_logs)
        .where(sync_logs.c.session_id == session_id, sync_logs.c.id > after_id)
        .order_by(sync_logs.c.id)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def session_exists(conn: Connection, session_id: str) -> bool:
    stmt = select(sync_sessions.c.id).where(sync_sessions.c.id == session_id)
    return conn.execute(stmt).first() is not None


def recent_sessions(
    conn: Connection, *, limit: int = 50, athlete_id: int | None = None
) -> list[dict[str, Any]]:
    stmt = select(sync_sessions).order_by(sync_sessions.c.started_at.desc()).limit(limit)
    if athlete_id is not None:
        stmt = stmt.where(sync_sessions.c.athlete_id == athlete_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def recent_runs(
    conn: Connection, *, modes: tuple[str, ...], limit: int = 10
) -> list[dict[str, Any]]:
    """The newest sessions of no athlete in ``modes`` (export and warehouse runs)."""
    stmt = (
        select(sync_sessions)
        .where(sync_sessions.c.athlete_id.is_(None), sync_sessions.c.mode.in_(modes))
        .order_by(sync_sessions.c.started_at.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def close_interrupted(
    conn: Connection, *, now: datetime, athlete_ids: list[int] | None = None
) -> int:
    """Close as ``interrupted`` the running sessions whose process is gone; returns how many.

    A pass finishes its session in the transaction that releases its lease, so a session still
    ``running`` while nobody holds the athlete's lease (none, or expired) belongs to a process
    that died. ``athlete_ids``: only these athletes, whose lease the caller holds or has just
    released for a dead process (their running sessions are dead whatever the lease says).
    """
    free = select(sync_state.c.athlete_id).where(
        or_(sync_state.c.lease_owner.is_(None), sync_state.c.lease_expires_at < now)
    )
    cond = [sync_sessions.c.status == "running"]
    if athlete_ids is not None:
        if not athlete_ids:
            return 0
        cond.append(sync_sessions.c.athlete_id.in_(athlete_ids))
    else:
        cond.append(sync_sessions.c.athlete_id.in_(free))
    result = conn.execute(
        update(sync_sessions)
        .where(and_(*cond))
        .values(
            status=INTERRUPTED,
            finished_at=now,
            summary_json={"error": "the process running this pass stopped (killed or crashed)"},
        )
    )
    return int(result.rowcount)


def prune(conn: Connection, *, now: datetime, keep_days: float = 7) -> int:
    """Delete sessions and log lines older than ``keep_days``; returns log lines removed.

    Sessions of dead processes are closed first, so they are pruned like the others."""
    cutoff = now - timedelta(days=keep_days)
    close_interrupted(conn, now=now)
    removed = conn.execute(delete(sync_logs).where(sync_logs.c.created_at < cutoff)).rowcount
    conn.execute(
        delete(sync_sessions).where(
            sync_sessions.c.started_at < cutoff, sync_sessions.c.status != "running"
        )
    )
    return int(removed)
