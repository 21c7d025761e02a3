"""Queries on ``tokens`` (encrypted OAuth tokens, single-flight refresh lock) and ``oauth_states``.

Ciphertext only: encryption lives in :mod:`stravasync.strava.crypto`. The refresh lock is a
conditional UPDATE (``refresh_owner`` / ``refresh_lock_until``): exactly one holder at a time
on SQLite and PostgreSQL alike; a crashed holder's lock expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from stravasync.clock import as_utc
from stravasync.store.schema import oauth_states, tokens
from stravasync.store.upsert import upsert_rows


@dataclass(frozen=True, slots=True)
class StoredToken:
    athlete_id: int
    access_token_enc: str
    refresh_token_enc: str
    expires_at: datetime
    scope: str
    refresh_owner: str | None
    refresh_lock_until: datetime | None


def get(conn: Connection, athlete_id: int) -> StoredToken | None:
    row = conn.execute(select(tokens).where(tokens.c.athlete_id == athlete_id)).mappings().first()
    if row is None:
        return None
    return StoredToken(
        athlete_id=row["athlete_id"],
        access_token_enc=row["access_token_enc"],
        refresh_token_enc=row["refresh_token_enc"],
        expires_at=row["expires_at"],
        scope=row["scope"],
        refresh_owner=row["refresh_owner"],
        refresh_lock_until=row["refresh_lock_until"],
    )


def any_ciphertext(conn: Connection) -> str | None:
    """One stored refresh-token ciphertext (to check the key can read what is stored)."""
    return conn.execute(select(tokens.c.refresh_token_enc).limit(1)).scalar_one_or_none()


def save(
    conn: Connection,
    athlete_id: int,
    *,
    access_enc: str,
    refresh_enc: str,
    expires_at: datetime,
    scope: str | None,
    now: datetime,
    release_owner: str | None = None,
) -> None:
    """Insert or replace an athlete's tokens; releases ``release_owner``'s refresh lock."""
    row: dict[str, Any] = {
        "athlete_id": athlete_id,
        "access_token_enc": access_enc,
        "refresh_token_enc": refresh_enc,
        "expires_at": expires_at,
        "updated_at": now,
    }
    if scope is not None:
        row["scope"] = scope
    upsert_rows(conn, tokens, [row], key=["athlete_id"])
    if release_owner is not None:
        release(conn, athlete_id, release_owner)


def try_lock(
    conn: Connection, athlete_id: int, owner: str, *, now: datetime, until: datetime
) -> bool:
    """Take the refresh lock if free or expired; True if ``owner`` holds it now."""
    result = conn.execute(
        update(tokens)
        .where(
            and_(
                tokens.c.athlete_id == athlete_id,
                or_(
                    tokens.c.refresh_owner.is_(None),
                    tokens.c.refresh_owner == owner,
                    tokens.c.refresh_lock_until < now,
                ),
            )
        )
        .values(refresh_owner=owner, refresh_lock_until=until)
    )
    return result.rowcount > 0


def release(conn: Connection, athlete_id: int, owner: str) -> None:
    conn.execute(
        update(tokens)
        .where(and_(tokens.c.athlete_id == athlete_id, tokens.c.refresh_owner == owner))
        .values(refresh_owner=None, refresh_lock_until=None)
    )


def remove(conn: Connection, athlete_id: int) -> bool:
    return conn.execute(delete(tokens).where(tokens.c.athlete_id == athlete_id)).rowcount > 0


# --- OAuth states (CSRF) ---------------------------------------------------------------------


def add_state(
    conn: Connection,
    state: str,
    *,
    now: datetime,
    expires_at: datetime,
    return_to: str | None,
    max_pending: int | None = None,
) -> int:
    """Prune expired states, then store ``state``; with ``max_pending`` unexpired ones already
    waiting, the oldest make room (a flood of starts cannot lock new visitors out: it only
    shortens how long an abandoned start stays valid). Returns how many were evicted.
    Concurrent callers may overshoot by a few."""
    conn.execute(oauth_states.delete().where(oauth_states.c.expires_at <= now))
    evicted = 0
    if max_pending is not None:
        pending = conn.execute(select(func.count()).select_from(oauth_states)).scalar_one()
        if pending >= max_pending:
            oldest = (
                select(oauth_states.c.state)
                .order_by(oauth_states.c.created_at, oauth_states.c.state)
                .limit(pending - max_pending + 1)
            )
            evicted = conn.execute(
                oauth_states.delete().where(oauth_states.c.state.in_(oldest.scalar_subquery()))
            ).rowcount
    conn.execute(
        oauth_states.insert().values(
            state=state, created_at=now, expires_at=expires_at, return_to=return_to
        )
    )
    return evicted


def take_state(conn: Connection, state: str, *, now: datetime) -> tuple[bool, str | None]:
    """Consume ``state``: (valid, return_to). A state works once and only before it expires.

    One ``DELETE ... RETURNING``: of two concurrent callers with the same state exactly one
    gets the row, on PostgreSQL and SQLite alike (a SELECT then DELETE let both through).
    """
    row = conn.execute(
        oauth_states.delete()
        .where(oauth_states.c.state == state)
        .returning(oauth_states.c.expires_at, oauth_states.c.return_to)
    ).first()
    if row is None:
        return False, None
    return as_utc(row.expires_at) > now, row.return_to
