"""The database schema (SQLAlchemy Core), identical on SQLite and PostgreSQL.

Conventions:
- Strava ids are BigInteger primary keys; our own rows use autoincrement ids.
- Times are ``UtcDateTime`` (stored naive-UTC, returned aware-UTC) so both backends compare alike.
- Raw Strava JSON is kept beside the typed columns (``summary_json``, ``detail_json``), so a
  schema change can rebuild columns from stored JSON without spending quota.
- Every piece of pending work (an athlete due for sync, a webhook event, a notification) is a row
  with a due time and a lease (``lease_owner``, ``lease_expires_at``): a crashed process loses
  nothing, its lease expires and another process resumes from the row's checkpoint.

Laps, splits, segment efforts, best efforts and streams live as JSON columns in
``activity_details`` rather than in tables of their own: they are always fetched, replaced and
read as a whole per activity (one DetailedActivity response), never updated piecemeal, and no
query of ours filters on them inside the store. Exports flatten them into their own Parquet
tables. This keeps an enrichment a single-row upsert and keeps the activities table lean for the
listing scans that sync does all day.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)

from stravasync.store.coltypes import JsonType as JsonType  # re-exported (migrations)
from stravasync.store.coltypes import UtcDateTime as UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

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

activities = Table(
    "activities",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False, comment="Strava activity id"),
    Column("athlete_id", BigInteger, nullable=False),
    Column("name", Text),
    Column("sport_type", String(64)),
    Column("type", String(64)),
    Column("workout_type", Integer),
    Column("start_date", UtcDateTime),
    Column("start_date_local", DateTime, comment="athlete's local wall time, naive"),
    Column("timezone", String(128)),
    Column("utc_offset", Float),
    Column("distance", Float),
    Column("moving_time", Integer),
    Column("elapsed_time", Integer),
    Column("total_elevation_gain", Float),
    Column("average_speed", Float),
    Column("max_speed", Float),
    Column("average_heartrate", Float),
    Column("max_heartrate", Float),
    Column("average_watts", Float),
    Column("kilojoules", Float),
    Column("trainer", Boolean),
    Column("commute", Boolean),
    Column("manual", Boolean),
    Column("private", Boolean),
    Column("visibility", String(32)),
    Column("gear_id", String(64)),
    Column("kudos_count", Integer),
    Column("comment_count", Integer),
    Column("achievement_count", Integer),
    Column("pr_count", Integer),
    Column("summary_json", JsonType, comment="raw SummaryActivity as last seen"),
    Column("detail_fetched_at", UtcDateTime),
    Column(
        "detail_stale_at",
        UtcDateTime,
        comment="a detail-relevant summary change arrived after the detail: re-fetch due",
    ),
    Column("source", String(16), nullable=False, server_default="api", comment="api | archive"),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_confirmed", UtcDateTime, nullable=False),
    Column("deleted_at", UtcDateTime, comment="tombstone: deleted on Strava"),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_activities_athlete_start", "athlete_id", "start_date"),
    Index("ix_activities_athlete_id", "athlete_id", "id"),  # per-athlete keyset pages (exports)
)

activity_details = Table(
    "activity_details",
    metadata,
    Column(
        "activity_id",
        BigInteger,
        ForeignKey("activities.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("detail_json", JsonType, comment="raw DetailedActivity"),
    Column("laps_json", JsonType),
    Column("splits_metric_json", JsonType),
    Column("splits_standard_json", JsonType),
    Column("segment_efforts_json", JsonType),
    Column("best_efforts_json", JsonType),
    Column("streams_json", JsonType),
    Column("description", Text),
    Column("calories", Float),
    Column("fetched_at", UtcDateTime, nullable=False),
)

activity_annotations = Table(
    "annotations",
    metadata,
    Column("activity_id", BigInteger, primary_key=True, autoincrement=False),
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="local notes a re-sync never overwrites; no FK so they outlive a re-fetch",
)

sync_state = Table(
    "sync_state",
    metadata,
    Column(
        "athlete_id", BigInteger, ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("due_at", UtcDateTime, comment="when the planner should look at this athlete next"),
    Column("requested_mode", String(32), comment="a mode asked for by a person or an event"),
    Column("next_mode", String(32), comment="the mode the planner expects at due_at"),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("dead", Boolean, nullable=False, server_default="0", comment="dead-lettered"),
    Column("last_error", Text),
    Column("last_error_at", UtcDateTime),
    Column("cancel_requested", Boolean, nullable=False, server_default="0"),
    Column("backfill_done", Boolean, nullable=False, server_default="0"),
    Column("backfill_before", BigInteger, comment="epoch cursor: next backfill page is before it"),
    Column("newest_start", BigInteger, comment="epoch start of the newest mirrored activity"),
    Column("last_incremental_at", UtcDateTime),
    Column("last_refresh_at", UtcDateTime),
    Column("last_reconcile_at", UtcDateTime),
    Column("last_success_at", UtcDateTime),
    Column(
        "last_activity_at",
        UtcDateTime,
        comment="start of the newest activity (activity-aware cadence)",
    ),
    Column("checkpoint_json", JsonType, comment="mode-specific resumable state"),
    Column("activity_count", Integer, nullable=False, server_default="0"),
    Column("enrich_pending", Boolean, nullable=False, server_default="0"),
    Column("first_synced_at", UtcDateTime, comment="when the newest page first arrived"),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_sync_state_due", "due_at"),
)


def _partial(name: str, *columns: Any, where: Any) -> Index:
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


# The claim's orders, each served by one index scan (store.syncstate.claim_due_athlete): work a
# person asked for, athletes waiting for their newest page, then by due time (smallest mirror
# first among equals). Partial, so dead letters and finished backfills are not scanned past.
_partial(
    "ix_sync_state_claim",
    sync_state.c.due_at,
    sync_state.c.activity_count,
    where=sync_state.c.dead.is_(False),
)
_partial(
    "ix_sync_state_requested",
    sync_state.c.due_at,
    where=sync_state.c.requested_mode.is_not(None),
)
_partial(
    "ix_sync_state_backfilling",
    sync_state.c.due_at,
    where=sync_state.c.backfill_done.is_(False),
)
_partial(
    "ix_sync_state_first_page",
    sync_state.c.due_at,
    where=and_(sync_state.c.backfill_done.is_(False), sync_state.c.backfill_before.is_(None)),
)

jobs = Table(
    "jobs",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("kind", String(32), nullable=False, comment="enrich | purge | verify | ..."),
    Column("athlete_id", BigInteger),
    Column("dedupe_key", String(255), nullable=False),
    Column("priority", Integer, nullable=False, server_default="50"),
    Column("payload_json", JsonType),
    Column("state", String(16), nullable=False, server_default="pending"),
    Column("due_at", UtcDateTime, nullable=False),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("dedupe_key", name="uq_jobs_dedupe_key"),
    CheckConstraint("state IN ('pending', 'done', 'dead', 'cancelled')", name="state"),
    Index("ix_jobs_state_due", "state", "due_at"),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("dedupe_key", String(255), nullable=False),
    Column("object_type", String(16), nullable=False),
    Column("object_id", BigInteger, nullable=False),
    Column("aspect_type", String(16), nullable=False),
    Column("owner_id", BigInteger, nullable=False),
    Column("subscription_id", BigInteger, nullable=False),
    Column("event_time", BigInteger, nullable=False),
    Column("updates_json", JsonType),
    Column("received_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False, server_default="pending"),
    Column("due_at", UtcDateTime, nullable=False),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("processed_at", UtcDateTime),
    UniqueConstraint("dedupe_key", name="uq_webhook_events_dedupe_key"),
    CheckConstraint("state IN ('pending', 'done', 'dead', 'ignored')", name="state"),
    Index("ix_webhook_events_state_due", "state", "due_at"),
)

notifications = Table(
    "notifications",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("idempotency_key", String(255), nullable=False),
    Column("event", String(64), nullable=False),
    Column("athlete_id", BigInteger),
    Column("activity_id", BigInteger),
    Column("payload_json", JsonType, nullable=False),
    Column("state", String(16), nullable=False, server_default="pending"),
    Column("due_at", UtcDateTime, nullable=False),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("last_status", Integer),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
    UniqueConstraint("idempotency_key", name="uq_notifications_idempotency_key"),
    CheckConstraint("state IN ('pending', 'delivered', 'dead')", name="state"),
    Index("ix_notifications_state_due", "state", "due_at"),
)

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

oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state", String(128), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("return_to", Text),
)

scheduler_jobs = Table(
    "scheduler_jobs",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("interval_s", Integer, nullable=False),
    Column("next_run_at", UtcDateTime, nullable=False),
    Column("last_run_at", UtcDateTime),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UtcDateTime),
    Column("paused", Boolean, nullable=False, server_default="0"),
    Column("schedule", String(128), comment="cron expression (clock jobs); null: every interval_s"),
    Column("last_status", String(16), comment="ok | failed: the last run's outcome"),
    Column("last_outcome", String(1024), comment="the last run's one-line result or error"),
)

app_settings = Table(
    "app_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value_json", JsonType),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="small runtime state: scheduler paused, webhook subscription id, ...",
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
