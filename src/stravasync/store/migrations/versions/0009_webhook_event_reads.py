"""webhook_events: the unconfirmed reads each event spent (the flood allowance) and indexes
for the allowance's sums and the inbox retention's prune

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import stravasync.store.schema

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.add_column(
            sa.Column("unconfirmed_listings", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("unconfirmed_reads", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("read_at", stravasync.store.schema.UtcDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column("listed_at", stravasync.store.schema.UtcDateTime(), nullable=True)
        )
        batch.create_index("ix_webhook_events_owner_read", ["owner_id", "read_at"])
        batch.create_index("ix_webhook_events_read_at", ["read_at"])
        batch.create_index("ix_webhook_events_processed", ["processed_at"])


def downgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.drop_index("ix_webhook_events_processed")
        batch.drop_index("ix_webhook_events_read_at")
        batch.drop_index("ix_webhook_events_owner_read")
        batch.drop_column("listed_at")
        batch.drop_column("read_at")
        batch.drop_column("unconfirmed_reads")
        batch.drop_column("unconfirmed_listings")
