"""activity_streams: streams packed per type in a table of their own (was details.streams_json)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07

Upgrade moves every ``activity_details.streams_json`` into ``activity_streams`` (packed by
``store/mirror/streampack.py``, a page of rows at a time) and drops the column; downgrade adds the
column back and writes each activity's streams into it as Strava's ``key_by_type`` object.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import stravasync.store.schema
from stravasync.store.mirror.streams import packed_row, unpacked
from stravasync.store.tables.streams import STREAM_KEYS

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

PAGE = 50  # activities per read: a page of long rides' JSON is a few MB

_json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_utc = stravasync.store.schema.UtcDateTime()
_activities = sa.table("activities", sa.column("id", sa.BigInteger), sa.column("athlete_id"))
_details = sa.table(
    "activity_details",
    sa.column("activity_id", sa.BigInteger),
    sa.column("streams_json", _json),
    sa.column("fetched_at", _utc),
)
_streams = sa.table(
    "activity_streams",
    sa.column("activity_id", sa.BigInteger),
    sa.column("athlete_id", sa.BigInteger),
    sa.column("samples", sa.Integer),
    sa.column("resolution", sa.String),
    sa.column("series_type", sa.String),
    sa.column("original_size", sa.Integer),
    *(sa.column(key, sa.LargeBinary) for key in STREAM_KEYS),
    sa.column("fetched_at", _utc),
)


def upgrade() -> None:
    op.create_table(
        "activity_streams",
        sa.Column("activity_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("athlete_id", sa.BigInteger(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False, comment="samples of the longest stream"),
        sa.Column(
            "resolution",
            sa.String(length=16),
            nullable=True,
            comment="low | medium | high, as Strava answered",
        ),
        sa.Column(
            "series_type",
            sa.String(length=16),
            nullable=True,
            comment="time | distance: what the samples are spaced by",
        ),
        sa.Column(
            "original_size",
            sa.Integer(),
            nullable=True,
            comment="samples Strava holds before any downsampling",
        ),
        *(
            sa.Column(key, sa.LargeBinary(), nullable=True, comment=f"{key} samples, packed")
            for key in STREAM_KEYS
        ),
        sa.Column("fetched_at", _utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_streams_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_activity_streams")),
        comment="each activity's streams, one packed column per stream type (store/streampack.py)",
    )
    op.create_index(
        "ix_activity_streams_athlete",
        "activity_streams",
        ["athlete_id", "activity_id"],
        unique=False,
    )
    _move_up(op.get_bind())
    with op.batch_alter_table("activity_details") as batch:
        batch.drop_column("streams_json")


def _move_up(conn: sa.Connection) -> None:
    base = (
        sa.select(
            _details.c.activity_id,
            _activities.c.athlete_id,
            _details.c.streams_json,
            _details.c.fetched_at,
        )
        .select_from(_details.join(_activities, _activities.c.id == _details.c.activity_id))
        .where(_details.c.streams_json.is_not(None))
        .order_by(_details.c.activity_id)
        .limit(PAGE)
    )
    last: int | None = None
    while True:
        stmt = base if last is None else base.where(_details.c.activity_id > last)
        page = conn.execute(stmt).all()
        if not page:
            return
        rows = [  # a JSON null (what a detail stored without streams held) is no streams
            packed_row(int(r.activity_id), int(r.athlete_id), r.streams_json, r.fetched_at)[0]
            for r in page
            if isinstance(r.streams_json, (dict, list))
        ]
        if rows:
            conn.execute(_streams.insert(), rows)
        last = int(page[-1].activity_id)


def _strava_form(row: Any) -> dict[str, Any]:
    """Strava's ``key_by_type`` answer of a stored row (as ``streams_json`` held it)."""
    meta = {
        "series_type": row.series_type,
        "original_size": row.original_size,
        "resolution": row.resolution,
    }
    return {key: {"data": data, **meta} for key, data in unpacked(row._mapping).items()}


def downgrade() -> None:
    with op.batch_alter_table("activity_details") as batch:
        batch.add_column(sa.Column("streams_json", _json, nullable=True))
    conn = op.get_bind()
    base = sa.select(_streams).order_by(_streams.c.activity_id).limit(PAGE)
    last: int | None = None
    while True:
        stmt = base if last is None else base.where(_streams.c.activity_id > last)
        page = conn.execute(stmt).all()
        if not page:
            break
        for row in page:  # streams are only written beside a detail: its row is there
            conn.execute(
                sa.update(_details)
                .where(_details.c.activity_id == row.activity_id)
                .values(streams_json=_strava_form(row))
            )
        last = int(page[-1].activity_id)
    op.drop_index("ix_activity_streams_athlete", table_name="activity_streams")
    op.drop_table("activity_streams")
