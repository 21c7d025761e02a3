"""The database schema (SQLAlchemy Core), identical on SQLite and PostgreSQL.

Conventions:
- Strava ids are BigInteger primary keys; our own rows use autoincrement ids.
- Times are ``UtcDateTime`` (stored naive-UTC, returned aware-UTC) so both backends compare alike.
- Raw Strava JSON is kept beside the typed columns (``summary_json``, ``detail_json``), so a
  schema change can rebuild columns from stored JSON without spending quota.
- Every piece of pending work (an athlete due for sync, a webhook event, a notification) is a row
  with a due time and a lease (``lease_owner``, ``lease_expires_at``): a crashed process loses
  nothing, its lease expires and another process resumes from the row's checkpoint.

The tables live in one module per area (``tables_athletes``, ``tables_activities``,
``tables_work``, ``tables_runtime``, ``tables_originals``, ``tables_streams``), all on the one
``metadata`` of ``tables_meta``; this module
names every table, so ``from stravasync.store.schema import X`` and Alembic see them all.
"""

from __future__ import annotations

from stravasync.store.coltypes import JsonType, UtcDateTime  # migrations name them here
from stravasync.store.tables.activities import activities, activity_annotations, activity_details
from stravasync.store.tables.athletes import (
    ATHLETE_STATUSES,
    athlete_stats,
    athletes,
    oauth_states,
    tokens,
)
from stravasync.store.tables.gear import gear
from stravasync.store.tables.me import athlete_actions, athlete_sessions
from stravasync.store.tables.meta import NAMING, metadata
from stravasync.store.tables.originals import activity_originals
from stravasync.store.tables.runtime import (
    app_settings,
    app_state,
    rate_budget,
    rate_history,
    sync_logs,
    sync_sessions,
)
from stravasync.store.tables.streams import activity_streams
from stravasync.store.tables.work import (
    jobs,
    notifications,
    scheduler_jobs,
    sync_state,
    sync_tallies,
    webhook_events,
)

__all__ = [
    "ATHLETE_STATUSES",
    "NAMING",
    "JsonType",
    "UtcDateTime",
    "activities",
    "activity_annotations",
    "activity_details",
    "activity_originals",
    "activity_streams",
    "app_settings",
    "app_state",
    "athlete_actions",
    "athlete_sessions",
    "athlete_stats",
    "athletes",
    "gear",
    "jobs",
    "metadata",
    "notifications",
    "oauth_states",
    "rate_budget",
    "rate_history",
    "scheduler_jobs",
    "sync_logs",
    "sync_sessions",
    "sync_state",
    "sync_tallies",
    "tokens",
    "webhook_events",
]
