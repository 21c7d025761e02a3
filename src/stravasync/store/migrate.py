"""Alembic migrations, run programmatically (``stravasync db upgrade`` and on start-up)."""

from __future__ import annotations

import logging
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from stravasync.store.errors import SchemaOutOfDate

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("stravasync.store") / "migrations"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database to ``revision``; returns the revision now in place."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    now = current_revision(engine) or ""
    log.debug("database at revision %s", now)
    return now


def ensure_at_head(engine: Engine) -> None:
    """Raise :class:`SchemaOutOfDate` unless the database is at the newest migration."""
    head = head_revision()
    current = current_revision(engine)
    if current != head:
        raise SchemaOutOfDate(current, head)
