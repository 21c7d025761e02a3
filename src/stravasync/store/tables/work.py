"""Pending work: rows with a due time and a lease (athletes due for sync, jobs, webhook
events, notifications, the scheduler's jobs).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)

from stravasync.store.coltypes import JsonType, UtcDateTime
from stravasync.store.tables.meta import metadata

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
    Column(
        "strava_count",
        Integer,
        comment="rides + runs + swims in GET /athletes/{id}/stats: a lower bound",
    ),
    Column("strava_count_at", UtcDateTime, comment="when strava_count was fetched"),
    Column("gear_listed_at", UtcDateTime, comment="when GET /athlete last listed their gear"),
    Column(
        "parked",
        Boolean,
        nullable=False,
        server_default="0",
        comment="not active or opted out: out of the claim's indexes (store.parking)",
    ),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_sync_state_due", "due_at"),
)

sync_tallies = Table(
    "sync_tallies",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
    comment="counts kept as rows change (unparked: athletes synced automatically)",
)


def _partial(name: str, *columns: Any, where: Any) -> Index:
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


# The claim's orders, each served by one index scan (store.syncstate.claim_due_athlete): work a
# person asked for, athletes waiting for their newest page, then by due time (smallest mirror
# first among equals). Partial, so dead letters, parked athletes (disconnected, blocked, opted
# out) and finished backfills are not scanned past.
_live = and_(sync_state.c.dead.is_(False), sync_state.c.parked.is_(False))
_partial("ix_sync_state_claim", sync_state.c.due_at, sync_state.c.activity_count, where=_live)
# the leased rows (one per engine thread), for the earliest lease end (work.leases.next_claimable)
_partial(
    "ix_sync_state_leased",
    sync_state.c.lease_expires_at,
    where=sync_state.c.lease_owner.is_not(None),
)
_partial(
    "ix_sync_state_requested",
    sync_state.c.due_at,
    where=sync_state.c.requested_mode.is_not(None),
)
# whether any history is owed (store.syncstate.backfill_owed): by athlete, not due time, so
# SQLite never takes it for the first-page order (it walked every backfilling row for that)
_partial(
    "ix_sync_state_backfilling",
    sync_state.c.athlete_id,
    where=and_(sync_state.c.backfill_done.is_(False), _live),
)
_partial(
    "ix_sync_state_first_page",
    sync_state.c.due_at,
    where=and_(
        sync_state.c.backfill_done.is_(False), sync_state.c.backfill_before.is_(None), _live
    ),
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
    # reads the event's processing spent that changed nothing (store.event_reads)
    Column("unconfirmed_listings", Integer, nullable=False, server_default="0"),
    Column("unconfirmed_reads", Integer, nullable=False, server_default="0"),
    Column("read_at", UtcDateTime),
    Column("listed_at", UtcDateTime),
    UniqueConstraint("dedupe_key", name="uq_webhook_events_dedupe_key"),
    CheckConstraint("state IN ('pending', 'done', 'dead', 'ignored')", name="state"),
    Index("ix_webhook_events_state_due", "state", "due_at"),
    Index("ix_webhook_events_owner_read", "owner_id", "read_at"),
    Index("ix_webhook_events_read_at", "read_at"),
    Index("ix_webhook_events_processed", "processed_at"),
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
