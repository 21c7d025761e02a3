"""Sync sessions and their log lines (what the admin API and ``stravasync logs`` show)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update

from stravasync.store.schema import sync_logs, sync_sessions


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


def recent_sessions(
    conn: Connection, *, limit: int = 50, athlete_id: int | None = None
) -> list[dict[str, Any]]:
    stmt = select(sync_sessions).order_by(sync_sessions.c.started_at.desc()).limit(limit)
    if athlete_id is not None:
        stmt = stmt.where(sync_sessions.c.athlete_id == athlete_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def prune(conn: Connection, *, now: datetime, keep_days: float = 7) -> int:
    """Delete sessions and log lines older than ``keep_days``; returns log lines removed."""
    cutoff = now - timedelta(days=keep_days)
    removed = conn.execute(delete(sync_logs).where(sync_logs.c.created_at < cutoff)).rowcount
    conn.execute(
        delete(sync_sessions).where(
            sync_sessions.c.started_at < cutoff, sync_sessions.c.status != "running"
        )
    )
    return int(removed)
