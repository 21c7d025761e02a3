"""scheduler_jobs: a cron schedule and the last run's outcome (issue 15, jobs on a clock)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scheduler_jobs") as batch:
        batch.add_column(
            sa.Column(
                "schedule",
                sa.String(length=128),
                nullable=True,
                comment="cron expression (clock jobs); null: every interval_s",
            )
        )
        batch.add_column(
            sa.Column(
                "last_status",
                sa.String(length=16),
                nullable=True,
                comment="ok | failed: the last run's outcome",
            )
        )
        batch.add_column(
            sa.Column(
                "last_outcome",
                sa.String(length=1024),
                nullable=True,
                comment="the last run's one-line result or error",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduler_jobs") as batch:
        batch.drop_column("last_outcome")
        batch.drop_column("last_status")
        batch.drop_column("schedule")
