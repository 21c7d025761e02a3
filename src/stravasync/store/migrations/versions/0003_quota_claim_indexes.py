"""claim indexes on sync_state: one index scan per claim order (issue 14, scale)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (name, columns, partial WHERE on SQLite, on PostgreSQL): the same as store/tables/work.py
INDEXES = (
    ("ix_sync_state_claim", ["due_at", "activity_count"], "dead IS 0", "dead IS false"),
    (
        "ix_sync_state_requested",
        ["due_at"],
        "requested_mode IS NOT NULL",
        "requested_mode IS NOT NULL",
    ),
    ("ix_sync_state_backfilling", ["due_at"], "backfill_done IS 0", "backfill_done IS false"),
    (
        "ix_sync_state_first_page",
        ["due_at"],
        "backfill_done IS 0 AND backfill_before IS NULL",
        "backfill_done IS false AND backfill_before IS NULL",
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        for name, columns, lite, pg in INDEXES:
            batch_op.create_index(
                name,
                columns,
                unique=False,
                sqlite_where=sa.text(lite),
                postgresql_where=sa.text(pg),
            )


def downgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        for name, *_ in INDEXES:
            batch_op.drop_index(name)
