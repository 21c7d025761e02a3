"""Athletes and what belongs to the connection: tokens, OAuth states, cached stats."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)

from stravasync.store.coltypes import JsonType, UtcDateTime
from stravasync.store.tables.meta import metadata

ATHLETE_STATUSES = ("active", "reconnect_needed", "deauthorized", "blocked")

athletes = Table(
    "athletes",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False, comment="Strava athlete id"),
    Column("username", String(255)),
    Column("firstname", String(255)),
    Column("lastname", String(255)),
    Column("status", String(32), nullable=False, server_default="active"),
    Column("hidden", Boolean, nullable=False, server_default="0"),
    Column("auto_sync", Boolean, nullable=False, server_default="1", comment="opt-out of sync"),
    Column("scopes", String(255), nullable=False, server_default=""),
    Column("timezone", String(64)),
    Column("profile_json", JsonType),
    Column("connected_at", UtcDateTime),
    Column("deauthorized_at", UtcDateTime),
    Column("purge_after", UtcDateTime, comment="data purged after this (post-revocation)"),
    Column("status_reason", Text),
    Column("name_key", String(512), comment="lowercased 'first last': search by prefix"),
    Column("lastname_key", String(255), comment="lowercased last name: search by prefix"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status IN ('active', 'reconnect_needed', 'deauthorized', 'blocked')", name="status"
    ),
    # prefix search: LIKE 'q%' on PostgreSQL (pattern ops, any collation), a range on SQLite
    Index("ix_athletes_name_key", "name_key", postgresql_ops={"name_key": "varchar_pattern_ops"}),
    Index(
        "ix_athletes_lastname_key",
        "lastname_key",
        postgresql_ops={"lastname_key": "varchar_pattern_ops"},
    ),
    Index("ix_athletes_status_id", "status", "id"),  # filtered keyset pages
)

tokens = Table(
    "tokens",
    metadata,
    Column(
        "athlete_id", BigInteger, ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("access_token_enc", Text, nullable=False, comment="Fernet ciphertext"),
    Column("refresh_token_enc", Text, nullable=False, comment="Fernet ciphertext"),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("scope", String(255), nullable=False, server_default=""),
    Column("refresh_owner", String(128), comment="single-flight refresh lock holder"),
    Column("refresh_lock_until", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
)

oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state", String(128), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("return_to", Text),
)

athlete_stats = Table(
    "athlete_stats",
    metadata,
    Column(
        "athlete_id", BigInteger, primary_key=True, autoincrement=False, comment="Strava athlete id"
    ),
    Column("stats_json", JsonType, nullable=False, comment="stravasync.stats.compute output"),
    Column("fingerprint", String(128), nullable=False, comment="activities state it was built on"),
    Column("computed_at", UtcDateTime, nullable=False),
    comment="cached stats (Eddington, rollups), refreshed after each sync that changes an athlete",
)
