"""The :class:`Database` handle: an engine plus the few rules every query module follows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from stravasync.store import migrate
from stravasync.store.engine import READ_ONLY, check_reachable, is_sqlite, make_engine, masked


class Database:
    """One database, SQLite or PostgreSQL. Query modules take a ``Connection`` from it.

    ``transaction()`` is the only way to write: on SQLite it begins IMMEDIATE (one writer at a
    time, others wait on busy_timeout); on PostgreSQL it is an ordinary transaction, and claims use
    ``FOR UPDATE SKIP LOCKED``.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, echo: bool = False, upgrade: bool = True) -> Database:
        """Open ``url``, check it answers, and (by default) migrate it to head."""
        db = cls(make_engine(url, echo=echo))
        check_reachable(db.engine)
        if upgrade:
            migrate.upgrade(db.engine)
        return db

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        """The URL with its password masked."""
        return masked(self.engine.url)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read-only connection for long reads (exports): on SQLite its transaction is a
        plain WAL snapshot that never holds the write lock, so syncs and webhooks go on."""
        with self.engine.connect() as conn:
            yield conn.execution_options(**{READ_ONLY: True})

    def close(self) -> None:
        self.engine.dispose()
