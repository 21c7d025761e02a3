"""Runtime records: sync sessions and their log lines, the shared rate budget and its history,
small settings and app-level Strava conditions.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from stravasync.store.coltypes import JsonType, UtcDateTime
from stravasync.store.tables.meta import metadata

sync_sessions = Table(
    "sync_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("athlete_id", BigInteger),
    Column("mode", String(32), nullable=False),
    Column("trigger", String(32), nullable=False, server_default="scheduler"),
    Column("status", String(16), nullable=False, server_default="running"),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("api_calls", Integer, nullable=False, server_default="0"),
    Column("summary_json", JsonType),
    Index("ix_sync_sessions_started", "started_at"),
)

sync_logs = Table(
    "sync_logs",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("session_id", String(64), nullable=False),
    Column("athlete_id", BigInteger),
    Column("level", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("metadata_json", JsonType),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_sync_logs_session", "session_id", "id"),
    Index("ix_sync_logs_created", "created_at"),
)

rate_budget = Table(
    "rate_budget",
    metadata,
    Column("limit_class", String(16), primary_key=True, comment="overall | read"),
    Column("window", String(8), primary_key=True, comment="15min | daily"),
    Column("window_start", UtcDateTime, nullable=False),
    Column("used", Integer, nullable=False, server_default="0"),
    Column("limit_value", Integer, nullable=False),
    Column("closed_until", UtcDateTime, comment="set by a 429: nothing is sent before it"),
    Column("http_429", Integer, nullable=False, server_default="0", comment="429s this window"),
    Column("updated_at", UtcDateTime, nullable=False),
)

rate_history = Table(
    "rate_history",
    metadata,
    Column("limit_class", String(16), primary_key=True),
    Column("window", String(8), primary_key=True),
    Column("window_start", UtcDateTime, primary_key=True),
    Column("used", Integer, nullable=False),
    Column("limit_value", Integer, nullable=False),
    Column("http_429", Integer, nullable=False, server_default="0"),
)

app_settings = Table(
    "app_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value_json", JsonType),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="small runtime state: scheduler paused, webhook subscription id, ...",
)

app_state = Table(
    "app_state",
    metadata,
    Column("scope", String(32), primary_key=True, comment="strava: the whole application"),
    Column("condition", String(32), nullable=False, comment="application_inactive|invalid_client"),
    Column("reason", Text, nullable=False, comment="Strava's words, no secret"),
    Column("since", UtcDateTime, nullable=False),
    Column("probes", Integer, nullable=False, server_default="0", comment="probes sent since"),
    Column("next_probe_at", UtcDateTime, nullable=False, comment="nothing is sent before it"),
    Column("last_probe_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="an app-level Strava condition: while a row exists no request is sent but the probe",
)
