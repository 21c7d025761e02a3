"""Migrations: an empty database reaches head on both backends, and the models match it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from stravasync.store import Database
from stravasync.store.migrate import current_revision, ensure_at_head, head_revision, upgrade
from stravasync.store.schema import metadata


def test_empty_database_upgrades_to_head(empty_db_url: str) -> None:
    db = Database.open(empty_db_url, upgrade=False)
    try:
        assert current_revision(db.engine) is None
        assert upgrade(db.engine) == head_revision()
        ensure_at_head(db.engine)
        tables = set(inspect(db.engine).get_table_names())
        assert set(metadata.tables) <= tables
        # running it again is a no-op
        assert upgrade(db.engine) == head_revision()
    finally:
        db.close()


def test_autogenerate_diff_against_models_is_empty(db: Database) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []
