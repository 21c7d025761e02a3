"""athlete_sessions and athlete_actions: the athlete's signed-in pages at /me and their audit log

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import stravasync.store.schema

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "athlete_sessions",
        sa.Column(
            "id_hash", sa.String(length=64), nullable=False, comment="sha256 of the cookie's secret"
        ),
        sa.Column("athlete_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "csrf", sa.String(length=64), nullable=False, comment="the token every POST must echo"
        ),
        sa.Column("created_at", stravasync.store.schema.UtcDateTime(), nullable=False),
        sa.Column("expires_at", stravasync.store.schema.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_athlete_sessions")),
        comment="an athlete's signed-in browser sessions at /me (the cookie holds the secret)",
    )
    op.create_index("ix_athlete_sessions_athlete", "athlete_sessions", ["athlete_id"])
    op.create_index("ix_athlete_sessions_expires", "athlete_sessions", ["expires_at"])
    op.create_table(
        "athlete_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "athlete_id",
            sa.BigInteger(),
            nullable=True,
            comment="NULL once the athlete's data was purged",
        ),
        sa.Column(
            "action",
            sa.String(length=32),
            nullable=False,
            comment="sign_in, sync, pause, resume, ...",
        ),
        sa.Column("at", stravasync.store.schema.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_athlete_actions")),
        comment="audit log of what an athlete did at /me (sign-in, sync, pause, disconnect, ...)",
    )
    op.create_index(
        "ix_athlete_actions_athlete_action", "athlete_actions", ["athlete_id", "action", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_athlete_actions_athlete_action", table_name="athlete_actions")
    op.drop_table("athlete_actions")
    op.drop_index("ix_athlete_sessions_expires", table_name="athlete_sessions")
    op.drop_index("ix_athlete_sessions_athlete", table_name="athlete_sessions")
    op.drop_table("athlete_sessions")
