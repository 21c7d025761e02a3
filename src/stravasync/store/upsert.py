"""Batched, idempotent upserts that behave the same on SQLite and PostgreSQL.

Both dialects support ``INSERT ... ON CONFLICT (key) DO UPDATE SET col = excluded.col``; this
module builds that statement once per table and column set and runs it with executemany.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

BATCH_ROWS = 1000


def _insert(conn: Connection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(conn.dialect.name)


def upsert_statement(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    update: Sequence[str] | None,
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` of ``update`` columns (``None``: do nothing)."""
    stmt = _insert(conn, table)
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
