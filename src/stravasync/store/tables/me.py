"""The athlete's own signed-in pages: their browser sessions and the log of what they did."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table

from stravasync.store.coltypes import UtcDateTime
from stravasync.store.tables.meta import metadata

athlete_sessions = Table(
    "athlete_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True, comment="sha256 of the cookie's secret"),
    Column("athlete_id", BigInteger, nullable=False),
    Column("csrf", String(64), nullable=False, comment="the token every POST must echo"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_athlete_sessions_athlete", "athlete_id"),
    Index("ix_athlete_sessions_expires", "expires_at"),
    comment="an athlete's signed-in browser sessions at /me (the cookie holds the secret)",
)

athlete_actions = Table(
    "athlete_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("athlete_id", BigInteger, comment="NULL once the athlete's data was purged"),
    Column("action", String(32), nullable=False, comment="sign_in, sync, pause, resume, ..."),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_athlete_actions_athlete_action", "athlete_id", "action", "at"),
    comment="audit log of what an athlete did at /me (sign-in, sync, pause, disconnect, ...)",
)
