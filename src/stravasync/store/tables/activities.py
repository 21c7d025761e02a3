"""Activities: the summaries, their details and the local notes beside them.

Laps, splits, segment efforts and best efforts live as JSON columns in
``activity_details`` rather than in tables of their own: they are always fetched, replaced and
read as a whole per activity (one DetailedActivity response), never updated piecemeal, and no
query of ours filters on them inside the store. Exports flatten them into their own Parquet
tables. This keeps an enrichment a single-row upsert and keeps the activities table lean for the
listing scans that sync does all day. Streams, the bulk of an activity, are packed in a table of
their own (``tables_streams``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from stravasync.store.coltypes import JsonType, UtcDateTime
from stravasync.store.tables.meta import metadata

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
