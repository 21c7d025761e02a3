"""sync_state.strava_count: Strava's own count of an athlete's activities (a backfill's total)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import stravasync.store.schema

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(
            sa.Column(
                "strava_count",
                sa.Integer(),
                nullable=True,
                comment="rides + runs + swims in GET /athletes/{id}/stats: a lower bound",
            )
        )
        batch.add_column(
            sa.Column(
                "strava_count_at",
                stravasync.store.schema.UtcDateTime(),
                nullable=True,
                comment="when strava_count was fetched",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("strava_count_at")
        batch.drop_column("strava_count")
