"""Activity streams (the time series of an activity), one row per activity, packed per type.

Each Strava stream type has its own column holding the samples packed by
:mod:`stravasync.store.mirror.streampack` (deltas, zlib): a 20,000-sample ride takes a tenth of the
space of the same streams as JSON and reads about twice as fast (``bench/streams_storage.py``;
figures in ``bench/NOTES.md``). Streams are fetched, replaced and read whole per activity, never
queried inside the store; exports unpack them into one row per sample.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, String, Table

from stravasync.store.coltypes import UtcDateTime
from stravasync.store.tables.meta import metadata

# Strava's stream types (``StreamType``), in the order of its API reference; each is a column.
STREAM_KEYS: tuple[str, ...] = (
    "time",
    "latlng",
    "distance",
    "altitude",
    "velocity_smooth",
    "heartrate",
    "cadence",
    "watts",
    "temp",
    "moving",
    "grade_smooth",
)

activity_streams = Table(
    "activity_streams",
    metadata,
    Column(
        "activity_id",
        BigInteger,
        ForeignKey("activities.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("athlete_id", BigInteger, nullable=False),
    Column("samples", Integer, nullable=False, comment="samples of the longest stream"),
    Column("resolution", String(16), comment="low | medium | high, as Strava answered"),
    Column("series_type", String(16), comment="time | distance: what the samples are spaced by"),
    Column("original_size", Integer, comment="samples Strava holds before any downsampling"),
    *(Column(key, LargeBinary, comment=f"{key} samples, packed") for key in STREAM_KEYS),
    Column("fetched_at", UtcDateTime, nullable=False),
    Index("ix_activity_streams_athlete", "athlete_id", "activity_id"),
    comment="each activity's streams, one packed column per stream type (store/streampack.py)",
)
