"""athletes: lowercased name keys and indexes for paging and search (issue 15, point 5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        batch.add_column(
            sa.Column(
                "name_key",
                sa.String(length=512),
                nullable=True,
                comment="lowercased 'first last': search by prefix",
            )
        )
        batch.add_column(
            sa.Column(
                "lastname_key",
                sa.String(length=255),
                nullable=True,
                comment="lowercased last name: search by prefix",
            )
        )
        batch.create_index(
            "ix_athletes_name_key",
            ["name_key"],
            postgresql_ops={"name_key": "varchar_pattern_ops"},
        )
        batch.create_index(
            "ix_athletes_lastname_key",
            ["lastname_key"],
            postgresql_ops={"lastname_key": "varchar_pattern_ops"},
        )
        batch.create_index("ix_athletes_status_id", ["status", "id"])
    op.execute(
        "UPDATE athletes SET "
        "name_key = NULLIF(LOWER(TRIM(COALESCE(firstname, '') || ' ' || COALESCE(lastname, ''))), ''), "
        "lastname_key = NULLIF(LOWER(TRIM(COALESCE(lastname, ''))), '')"
    )


def downgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        batch.drop_index("ix_athletes_status_id")
        batch.drop_index("ix_athletes_lastname_key")
        batch.drop_index("ix_athletes_name_key")
        batch.drop_column("lastname_key")
        batch.drop_column("name_key")
