"""sync_state.parked: athletes not synced automatically leave the claim's indexes; the
sync_tallies table keeps the count of those who are; an index of the leased rows (issue 24,
extended)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0015"
down_revision = "0014"  # 0009 -> 0011 streams -> 0013 /me -> 0014 gear -> 0015 parking
branch_labels = None
depends_on = None

# (name, columns, partial WHERE on SQLite / PostgreSQL before, after): as store/tables/work.py
LIVE = ("dead IS 0 AND parked IS 0", "dead IS false AND parked IS false")
INDEXES = (
    (
        "ix_sync_state_claim",
        ["due_at", "activity_count"],
        ("dead IS 0", "dead IS false"),
        LIVE,
    ),
    (
        "ix_sync_state_backfilling",
        ["due_at"],  # after: ["athlete_id"] (AFTER_COLUMNS)
        ("backfill_done IS 0", "backfill_done IS false"),
        (f"backfill_done IS 0 AND {LIVE[0]}", f"backfill_done IS false AND {LIVE[1]}"),
    ),
    (
        "ix_sync_state_first_page",
        ["due_at"],
        (
            "backfill_done IS 0 AND backfill_before IS NULL",
            "backfill_done IS false AND backfill_before IS NULL",
        ),
        (
            f"backfill_done IS 0 AND backfill_before IS NULL AND {LIVE[0]}",
            f"backfill_done IS false AND backfill_before IS NULL AND {LIVE[1]}",
        ),
    ),
)


# backfill_owed reads it by athlete: SQLite no longer takes it for the first-page order
AFTER_COLUMNS = {"ix_sync_state_backfilling": ["athlete_id"]}


def _indexes(batch: BatchOperations, which: int) -> None:
    for name, columns, *wheres in INDEXES:
        lite, pg = wheres[which]
        cols = AFTER_COLUMNS.get(name, columns) if which else columns
        batch.create_index(name, cols, sqlite_where=sa.text(lite), postgresql_where=sa.text(pg))


def upgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(
            sa.Column(
                "parked",
                sa.Boolean(),
                nullable=False,
                server_default="0",
                comment="not active or opted out: out of the claim's indexes (store.parking)",
            )
        )
        for name, *_ in INDEXES:
            batch.drop_index(name)
    with op.batch_alter_table("sync_state") as batch:
        _indexes(batch, 1)
        batch.create_index(
            "ix_sync_state_leased",
            ["lease_expires_at"],
            sqlite_where=sa.text("lease_owner IS NOT NULL"),
            postgresql_where=sa.text("lease_owner IS NOT NULL"),
        )
    tallies = op.create_table(
        "sync_tallies",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_tallies")),
        comment="counts kept as rows change (unparked: athletes synced automatically)",
    )
    inactive = "SELECT id FROM athletes WHERE status <> 'active' OR auto_sync IS NOT true"
    if op.get_bind().dialect.name == "sqlite":
        inactive = inactive.replace("IS NOT true", "= 0")
    op.execute(f"UPDATE sync_state SET parked = true WHERE athlete_id IN ({inactive})")
    unparked = op.get_bind().execute(
        sa.text("SELECT count(*) FROM sync_state WHERE parked = false")
    ).scalar_one()
    op.bulk_insert(tallies, [{"name": "unparked", "value": int(unparked)}])


def downgrade() -> None:
    op.drop_table("sync_tallies")
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_index("ix_sync_state_leased")
        for name, *_ in INDEXES:
            batch.drop_index(name)
    with op.batch_alter_table("sync_state") as batch:
        _indexes(batch, 0)
        batch.drop_column("parked")
