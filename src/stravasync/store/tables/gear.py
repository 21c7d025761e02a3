"""The athletes' gear (bikes and shoes), as Strava describes it (GET /athlete, GET /gear/{id})."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, String, Table, Text

from stravasync.store.coltypes import JsonType, UtcDateTime
from stravasync.store.tables.meta import metadata

gear = Table(
    "gear",
    metadata,
    Column("athlete_id", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(64), primary_key=True, comment="Strava's gear id: b123 bikes, g123 shoes"),
    Column("kind", String(8), nullable=False, comment="bike | shoe"),
    Column("name", Text, comment="NULL while Strava has not named it (404, not visible)"),
    Column("brand", Text, comment="brand_name of DetailedGear"),
    Column("model", Text, comment="model_name of DetailedGear"),
    Column("description", Text),
    Column("distance", Float, comment="metres Strava logs with this gear"),
    Column("is_primary", Boolean, nullable=False, server_default="0"),
    Column("retired", Boolean, nullable=False, server_default="0"),
    Column("detailed", Boolean, nullable=False, server_default="0", comment="from GET /gear/{id}"),
    Column("raw_json", JsonType, comment="the last gear JSON Strava sent"),
    Column("fetched_at", UtcDateTime, nullable=False, comment="first stored"),
    Column("refreshed_at", UtcDateTime, nullable=False, comment="last read from Strava"),
    Index("ix_gear_id", "id"),
    comment="each athlete's bikes and shoes; purged with the athlete",
)
