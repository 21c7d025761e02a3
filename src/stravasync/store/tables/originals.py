"""Original activity files (FIT, GPX, TCX) an account export brought, kept byte for byte."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, LargeBinary, String, Table, Text

from stravasync.store.coltypes import UtcDateTime
from stravasync.store.tables.meta import metadata

activity_originals = Table(
    "activity_originals",
    metadata,
    Column(
        "activity_id",
        BigInteger,
        ForeignKey("activities.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("athlete_id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False, comment="file name in the export, e.g. 123.fit.gz"),
    Column("media_type", String(64), nullable=False, comment="of the uncompressed file"),
    Column("compression", String(16), comment="gzip when kept compressed as given, else NULL"),
    Column("size", BigInteger, nullable=False, comment="bytes stored"),
    Column("sha256", String(64), nullable=False, comment="hex digest of the bytes stored"),
    Column("data", LargeBinary, nullable=False),
    Column("stored_at", UtcDateTime, nullable=False),
    Index("ix_activity_originals_athlete", "athlete_id", "activity_id"),
    comment="each archive-imported activity's original file, as the export held it",
)
