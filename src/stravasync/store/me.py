"""Named queries of the athlete's signed-in pages: sessions (only a hash of the cookie's secret
is stored) and the audit log of their actions. Every function takes the athlete id from the
caller's session; none reads another athlete's rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, select, update

from stravasync.store.tables_me import athlete_actions, athlete_sessions

ACTIONS = frozenset(
    {"sign_in", "sign_out", "sync", "pause", "resume", "disconnect", "delete", "download"}
    | {"app_sync", "app_pause", "app_resume"}  # the owning app, through the data API
)


@dataclass(frozen=True, slots=True)
class AthleteSession:
    athlete_id: int
    csrf: str
    expires_at: datetime


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(
    conn: Connection,
    secret: str,
    *,
    athlete_id: int,
    csrf: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        athlete_sessions.insert().values(
            id_hash=secret_hash(secret),
            athlete_id=athlete_id,
            csrf=csrf,
            created_at=now,
            expires_at=expires_at,
        )
    )


def find_session(conn: Connection, secret: str, now: datetime) -> AthleteSession | None:
    """The unexpired session of the cookie's ``secret``, or None."""
    row = conn.execute(
        select(
            athlete_sessions.c.athlete_id, athlete_sessions.c.csrf, athlete_sessions.c.expires_at
        ).where(
            athlete_sessions.c.id_hash == secret_hash(secret), athlete_sessions.c.expires_at > now
        )
    ).first()
    if row is None:
        return None
    return AthleteSession(
        athlete_id=int(row.athlete_id), csrf=str(row.csrf), expires_at=row.expires_at
    )


def close_session(conn: Connection, secret: str) -> None:
    conn.execute(delete(athlete_sessions).where(athlete_sessions.c.id_hash == secret_hash(secret)))


def close_all(conn: Connection, athlete_id: int) -> int:
    """Sign the athlete out everywhere (disconnect, purge); returns sessions closed."""
    result = conn.execute(
        delete(athlete_sessions).where(athlete_sessions.c.athlete_id == athlete_id)
    )
    return int(result.rowcount)


def prune_sessions(conn: Connection, now: datetime) -> int:
    result = conn.execute(delete(athlete_sessions).where(athlete_sessions.c.expires_at <= now))
    return int(result.rowcount)


def record(conn: Connection, athlete_id: int, action: str, now: datetime) -> None:
    """One line of the audit log (``action`` one of :data:`ACTIONS`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown athlete action {action!r}")
    conn.execute(athlete_actions.insert().values(athlete_id=athlete_id, action=action, at=now))


def last_action_at(conn: Connection, athlete_id: int, action: str) -> datetime | None:
    stmt = select(func.max(athlete_actions.c.at)).where(
        athlete_actions.c.athlete_id == athlete_id, athlete_actions.c.action == action
    )
    value: datetime | None = conn.execute(stmt).scalar()
    return value


SYNC_ACTIONS = ("sync", "app_sync")
"""A sync asked for an athlete, by them at /me or by the owning app: one allowance for both."""
SYNC_EVERY = timedelta(minutes=10)
"""That allowance: one sync asked per athlete per this long (a sync already asked for is not
asked twice)."""


def next_allowed(last: datetime | None, now: datetime, every: timedelta) -> datetime | None:
    """None when an action last taken at ``last`` may be taken again now, else from when."""
    if last is None or now - last >= every:
        return None
    return last + every


def last_sync_asked_at(conn: Connection, athlete_id: int) -> datetime | None:
    """When a sync was last asked for this athlete, by them or by the app (None: never)."""
    stmt = select(func.max(athlete_actions.c.at)).where(
        athlete_actions.c.athlete_id == athlete_id, athlete_actions.c.action.in_(SYNC_ACTIONS)
    )
    value: datetime | None = conn.execute(stmt).scalar()
    return value


def recent_actions(
    conn: Connection, athlete_id: int, *, limit: int = 20
) -> list[tuple[str, datetime]]:
    stmt = (
        select(athlete_actions.c.action, athlete_actions.c.at)
        .where(athlete_actions.c.athlete_id == athlete_id)
        .order_by(athlete_actions.c.at.desc(), athlete_actions.c.id.desc())
        .limit(limit)
    )
    return [(str(r.action), r.at) for r in conn.execute(stmt)]


def forget_athlete(conn: Connection, athlete_id: int) -> dict[str, int]:
    """For a purge: sessions deleted, audit lines kept without the athlete's id."""
    sessions = close_all(conn, athlete_id)
    anonymized = conn.execute(
        update(athlete_actions)
        .where(athlete_actions.c.athlete_id == athlete_id)
        .values(athlete_id=None)
    ).rowcount
    return {"athlete_sessions": sessions, "athlete_actions": int(anonymized)}
