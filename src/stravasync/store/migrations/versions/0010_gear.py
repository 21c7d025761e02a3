"""gear: each athlete's bikes and shoes (GET /athlete, GET /gear/{id}); sync_state.gear_listed_at

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import stravasync.store.schema

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gear",
        sa.Column("athlete_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "id",
            sa.String(length=64),
            nullable=False,
            comment="Strava's gear id: b123 bikes, g123 shoes",
        ),
        sa.Column("kind", sa.String(length=8), nullable=False, comment="bike | shoe"),
        sa.Column(
            "name",
            sa.Text(),
            nullable=True,
            comment="NULL while Strava has not named it (404, not visible)",
        ),
        sa.Column("brand", sa.Text(), nullable=True, comment="brand_name of DetailedGear"),
        sa.Column("model", sa.Text(), nullable=True, comment="model_name of DetailedGear"),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "distance", sa.Float(), nullable=True, comment="metres Strava logs with this gear"
        ),
        sa.Column("is_primary", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("retired", sa.Boolean(), server_default="0", nullable=False),
        sa.Column(
            "detailed",
            sa.Boolean(),
            server_default="0",
            nullable=False,
            comment="from GET /gear/{id}",
        ),
        sa.Column(
            "raw_json",
            stravasync.store.schema.JsonType,
            nullable=True,
            comment="the last gear JSON Strava sent",
        ),
        sa.Column(
            "fetched_at",
            stravasync.store.schema.UtcDateTime(),
            nullable=False,
            comment="first stored",
        ),
        sa.Column(
            "refreshed_at",
            stravasync.store.schema.UtcDateTime(),
            nullable=False,
            comment="last read from Strava",
        ),
        sa.PrimaryKeyConstraint("athlete_id", "id", name=op.f("pk_gear")),
        comment="each athlete's bikes and shoes; purged with the athlete",
    )
    op.create_index("ix_gear_id", "gear", ["id"], unique=False)
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(
            sa.Column(
                "gear_listed_at",
                stravasync.store.schema.UtcDateTime(),
                nullable=True,
                comment="when GET /athlete last listed their gear",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("gear_listed_at")
    op.drop_index("ix_gear_id", table_name="gear")
    op.drop_table("gear")
