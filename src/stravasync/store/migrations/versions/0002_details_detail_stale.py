"""activities.detail_stale_at: a stored detail that a summary change made stale

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import stravasync.store.schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(
            sa.Column(
                "detail_stale_at",
                stravasync.store.schema.UtcDateTime(),
                nullable=True,
                comment="a detail-relevant summary change arrived after the detail: re-fetch due",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("detail_stale_at")
