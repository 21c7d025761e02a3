"""Batched, idempotent upserts that behave the same on SQLite and PostgreSQL.

Both dialects support ``INSERT ... ON CONFLICT (key) DO UPDATE SET col = excluded.col``; this
module builds that statement once per table and column set and runs it with executemany, either
through SQLAlchemy (``upsert_rows``: rows as dicts of Python values) or, for the hot bulk paths,
straight through the driver (``driver_upsert``: rows as tuples of driver-ready values).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, TableClause
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert

from stravasync.store.driver import positional_sql

BATCH_ROWS = 1000


def _insert(dialect: Dialect, table: Table | TableClause) -> Any:
    if dialect.name == "postgresql":
        return postgresql.insert(table)
    if dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(dialect.name)


def upsert_statement(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    update: Sequence[str] | None,
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` of ``update`` columns (``None``: do nothing)."""
    return _upsert_statement(conn.dialect, table, key, update)


def _upsert_statement(
    dialect: Dialect, table: Table | TableClause, key: Sequence[str], update: Sequence[str] | None
) -> Insert:
    stmt = _insert(dialect, table)
    if not update:
        return stmt.on_conflict_do_nothing(index_elements=list(key))  # type: ignore[no-any-return]
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=list(key), set_={col: excluded[col] for col in update}
    )


def upsert_rows(
    conn: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str] | None = None,
) -> int:
    """Upsert ``rows`` in batches; every row must have the same keys. Returns rows sent.

    ``update`` lists the columns overwritten on conflict; by default every non-key column of
    the first row. Pass ``update=()`` to insert only (existing rows are left alone).
    """
    total = 0
    batch: list[Mapping[str, Any]] = []
    stmt: Insert | None = None
    for row in rows:
        if stmt is None:
            cols = [c for c in row if c not in key] if update is None else list(update)
            stmt = upsert_statement(conn, table, key, cols)
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            conn.execute(stmt, batch)
            total += len(batch)
            batch = []
    if batch and stmt is not None:
        conn.execute(stmt, batch)
        total += len(batch)
    return total


@dataclass(frozen=True, slots=True)
class DriverUpsert:
    """An upsert compiled once by SQLAlchemy and run with the driver's own executemany.

    ``Connection.execute(stmt, rows)`` runs every column's bind processor on every value of every
    row (JSON encoding, datetime formatting, float coercion): most of the time of a bulk ingest.
    Rows given here are tuples, in the order of the columns asked for, of values the driver takes
    as they are: what those processors would have made of them (see ``driver.bind_processor``).
    The SQL is :func:`upsert_statement`'s, casts and all, but for the order of the column list.
    """

    sql: str

    def run(self, conn: Connection, rows: Sequence[Sequence[Any]]) -> int:
        """Send ``rows`` in batches of ``BATCH_ROWS``; returns rows sent."""
        for start in range(0, len(rows), BATCH_ROWS):
            conn.exec_driver_sql(self.sql, list(rows[start : start + BATCH_ROWS]))
        return len(rows)


def driver_upsert(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    *,
    key: Sequence[str],
    update: Sequence[str] | None = None,
) -> DriverUpsert:
    """The upsert of ``columns`` on this connection's dialect, compiled once per process.

    ``update`` as for :func:`upsert_rows`: by default every column but the key, ``()`` for none.
    """
    cols = tuple(columns)
    updated = tuple(c for c in cols if c not in key) if update is None else tuple(update)
    return _driver_upsert(conn.dialect, table, cols, tuple(key), updated)


@functools.lru_cache(maxsize=64)
def _driver_upsert(
    dialect: Dialect,
    table: Table,
    columns: tuple[str, ...],
    key: tuple[str, ...],
    update: tuple[str, ...],
) -> DriverUpsert:
    # A view of the table with just these columns, in this order, so the binds come in the
    # caller's order (a Table would list them in its own).
    missing = [c for c in columns if c not in table.c]
    if missing:
        raise ValueError(f"{table.name} has no columns {missing}")
    view = sa_table(
        table.name, *(sa_column(c, table.c[c].type) for c in columns), schema=table.schema
    )
    stmt = _upsert_statement(dialect, view, key, update)
    sql, names = positional_sql(dialect, stmt)
    if names != columns:
        raise ValueError(f"binds {names} of the upsert are not the columns {columns}")
    return DriverUpsert(sql)
