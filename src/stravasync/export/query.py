"""Run one SQL statement against the DuckDB warehouse, read-only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stravasync.export import optional
from stravasync.export.errors import QueryFailed, WarehouseBehind, WarehouseMissing

MAX_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def run_query(
    path: Path, sql: str, *, max_rows: int = MAX_ROWS, removals: int | None = None
) -> QueryResult:
    """Columns and up to ``max_rows`` rows of ``sql`` (QueryFailed carries DuckDB's message).

    ``removals``: the store's removal counter (:mod:`stravasync.store.mirror.removals`); a warehouse
    refreshed before the latest purge or deletion raises :class:`WarehouseBehind`."""
    duckdb = optional.duckdb("`stravasync query`")
    if not path.exists():
        raise WarehouseMissing(str(path))
    if removals:
        from stravasync.export.warehouse import removals_seen

        seen = removals_seen(path) or 0
        if seen < removals:
            raise WarehouseBehind(str(path), removals - seen)
    con = duckdb.connect(str(path), read_only=True)
    try:
        try:
            cur = con.execute(sql)
        except duckdb.Error as exc:
            raise QueryFailed(str(exc).splitlines()[0]) from None
        if cur.description is None:
            return QueryResult([], [], False)
        columns = [d[0] for d in cur.description]
        rows = cur.fetchmany(max_rows + 1)
        return QueryResult(columns, [tuple(r) for r in rows[:max_rows]], len(rows) > max_rows)
    finally:
        con.close()
