"""Opening the database: one engine per URL, SQLite tuned for one writer and many readers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from stravasync.store.errors import DatabaseUnreachable

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def masked(url: str | URL) -> str:
    """The URL with any password hidden, fit for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


READ_ONLY = "stravasync_read_only"  # execution option: this connection never writes


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock at BEGIN, so two writers queue on busy_timeout instead of failing
    # with "database is locked" when a read transaction tries to upgrade to a write. A
    # connection marked READ_ONLY (a long export) takes a plain snapshot instead: under WAL it
    # then never blocks the writers (sync, webhook receiver) for its minutes of reading.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN DEFERRED")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """Create an engine for ``url``; SQLite files get their folder created and WAL mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        memory = database in ("", ":memory:")
        if not memory:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        # pysqlite's own transaction handling is turned off; we emit BEGIN ourselves.
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5},
    )


def check_reachable(engine: Engine) -> None:
    """Open one connection; raise :class:`DatabaseUnreachable` with one clear line if it fails."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnreachable(masked(engine.url), reason) from None
