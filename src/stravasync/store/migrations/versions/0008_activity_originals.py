"""activity_originals: the original FIT/GPX/TCX file of each archive-imported activity

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import stravasync.store.schema

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_originals",
        sa.Column("activity_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("athlete_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "name", sa.Text(), nullable=False, comment="file name in the export, e.g. 123.fit.gz"
        ),
        sa.Column(
            "media_type", sa.String(length=64), nullable=False, comment="of the uncompressed file"
        ),
        sa.Column(
            "compression",
            sa.String(length=16),
            nullable=True,
            comment="gzip when kept compressed as given, else NULL",
        ),
        sa.Column("size", sa.BigInteger(), nullable=False, comment="bytes stored"),
        sa.Column(
            "sha256", sa.String(length=64), nullable=False, comment="hex digest of the bytes stored"
        ),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", stravasync.store.schema.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_originals_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "athlete_id", name=op.f("pk_activity_originals")),
        comment="each archive-imported activity's original file, as the export held it",
    )
    op.create_index(
        "ix_activity_originals_athlete",
        "activity_originals",
        ["athlete_id", "activity_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_activity_originals_athlete", table_name="activity_originals")
    op.drop_table("activity_originals")
