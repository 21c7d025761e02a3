"""The DuckDB warehouse: tables refreshed by upsert, plus rollup views (``export.views``).

A re-run is cheap: only activities changed (or re-detailed) since the previous run's watermark,
minus a safety margin for writers with skewed clocks, are re-read from the store and upserted
(delete by id, then insert; there is no primary-key index, whose memory grows with the rows).
On an incremental run, rows the store no longer holds live (deleted on Strava, purged) are
dropped by a sweep that walks the store's live ids page by page and deletes, per id range, what
the page does not hold (memory bounded by one page; a purge leaves no trace in the store, so
the ids themselves must be compared). A full rebuild reads only live rows and skips the sweep.
Each batch commits on its own (one giant transaction would hold every new row in memory);
the watermark moves only in the final commit, so a run that crashes is simply redone by the
next one (upserts are idempotent).

Memory stays flat with the mirror's size (``bench/export_memory.py``): the ``activities``
table leaves out the raw ``summary_json`` text (the views never read it; the Parquet and JSONL
exports carry it), batches are small, and DuckDB runs on one thread without preserving
insertion order, its buffer pool capped by ``memory_limit`` and spilling to a temp directory
next to the file. A warehouse written by an older version (with ``summary_json``) is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from stravasync.export import optional
from stravasync.export.arrowschema import arrow_schema
from stravasync.export.stopwatch import Stopwatch
from stravasync.export.tables import (
    ACTIVITIES,
    DETAIL_TABLES,
    STREAMS,
    Spec,
    conform,
    stream_columns,
)
from stravasync.export.tables import ATHLETES as ATHLETES_SPEC
from stravasync.export.tables import GEAR as GEAR_SPEC
from stravasync.export.tables import detail_rows as flatten_detail
from stravasync.export.views import VIEWS, view_statements
from stravasync.store.mirror import exports as queries
from stravasync.store.mirror import removals

MARGIN = timedelta(minutes=10)
BATCH_ROWS = 2000  # 5000 measured ~45 MB more peak at 100k activities (Python rows + Arrow)
STREAM_BATCH_ROWS = 20_000  # stream samples per insert (columns: ~15 Python lists of this size)
MEMORY_LIMIT = "48MB"  # DuckDB's buffer pool; beyond it DuckDB spills to ``temp_directory``
RAW_COLUMNS = frozenset({"summary_json"})  # in Parquet/JSONL, not in the warehouse
WAREHOUSE_ACTIVITIES: Spec = tuple((c, k) for c, k in ACTIVITIES if c not in RAW_COLUMNS)
ALL_TABLES: dict[str, Spec] = {
    "activities": WAREHOUSE_ACTIVITIES,
    **DETAIL_TABLES,
    "streams": STREAMS,
    "athletes": ATHLETES_SPEC,
    "gear": GEAR_SPEC,
}
CHILD_TABLES = (*DETAIL_TABLES, "streams")  # rows keyed by activity_id, gone with it
_DUCK_TYPES = {
    "int": "BIGINT",
    "float": "DOUBLE",
    "str": "VARCHAR",
    "bool": "BOOLEAN",
    "ts": "TIMESTAMP",  # naive UTC
    "local": "TIMESTAMP",  # naive local wall time
}


@dataclass(frozen=True, slots=True)
class WarehouseReport:
    upserted: int
    removed: int
    detail_activities: int
    full: bool
    stream_samples: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "upserted": self.upserted,
            "removed": self.removed,
            "detail_activities": self.detail_activities,
            "stream_samples": self.stream_samples,
            "full": self.full,
        }


def _ddl(name: str, spec: Spec) -> str:
    cols = [f"{col} {_DUCK_TYPES[kind]}" for col, kind in spec]
    return f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(cols)})"


def _naive_utc(row: dict[str, Any], spec: Spec) -> dict[str, Any]:
    for col, kind in spec:
        value = row.get(col)
        if kind == "ts" and isinstance(value, datetime):
            row[col] = value.astimezone(UTC).replace(tzinfo=None)
    return row


def _warehouse_activity(row: dict[str, Any]) -> dict[str, Any]:
    """As ``tables.activity_row`` without the raw JSON (never serialized: the views skip it)."""
    return _naive_utc(conform(row, WAREHOUSE_ACTIVITIES), WAREHOUSE_ACTIVITIES)


def _columns(duck: Any, table: str) -> list[str]:
    rows = duck.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [str(r[0]) for r in rows]


def _create_tables(duck: Any) -> bool:
    """Create missing tables; drop and recreate any whose columns differ (an older layout).

    True when a table was recreated, or added to a warehouse that has others (one written
    before it existed): the caller must then rebuild in full."""
    layouts = {name: _columns(duck, name) for name in ALL_TABLES}
    stale = [
        name
        for name, spec in ALL_TABLES.items()
        if (have := layouts[name]) and have != [c for c, _ in spec]
    ]
    added = any(not have for have in layouts.values()) and any(layouts.values())
    if stale:
        for view in VIEWS:  # recreated at the end of the run
            duck.execute(f"DROP VIEW IF EXISTS {view}")
        for name in stale:
            duck.execute(f"DROP TABLE {name}")
    for name, spec in ALL_TABLES.items():
        duck.execute(_ddl(name, spec))
    return bool(stale) or added


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Loader:
    def __init__(self, duck: Any, pa: Any) -> None:
        self.duck, self.pa = duck, pa
        self.schemas = {
            name: arrow_schema(pa, tuple((c, "local" if k == "ts" else k) for c, k in spec))
            for name, spec in ALL_TABLES.items()
        }

    def insert(self, table: str, rows: list[dict[str, Any]], *, replace: bool = False) -> None:
        if not rows:
            return
        batch = self.pa.Table.from_pylist(rows, schema=self.schemas[table])
        self.duck.register("_batch", batch)
        try:
            if replace:  # an upsert by id; no PRIMARY KEY index (its memory grows with rows)
                self.duck.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM _batch)")
            self.duck.execute(f"INSERT INTO {table} SELECT * FROM _batch")
        finally:
            self.duck.unregister("_batch")

    def insert_columns(self, table: str, cols: dict[str, list[Any]]) -> None:
        batch = self.pa.Table.from_pydict(cols, schema=self.schemas[table])
        self.duck.register("_batch", batch)
        try:
            self.duck.execute(f"INSERT INTO {table} SELECT * FROM _batch")
        finally:
            self.duck.unregister("_batch")


def _read_state(duck: Any, key: str) -> str | None:
    rows = duck.execute("SELECT value FROM export_state WHERE key = ?", [key]).fetchall()
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def _read_mark(duck: Any) -> datetime | None:
    value = _read_state(duck, "mark")
    return datetime.fromisoformat(value) if value else None


def refresh_warehouse(
    conn: Connection,
    path: Path,
    *,
    full: bool = False,
    batch_rows: int = BATCH_ROWS,
    memory_limit: str = MEMORY_LIMIT,
    include_hidden: bool = False,
    on_rows: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    watch: Stopwatch | None = None,
) -> WarehouseReport:
    """Create or refresh the DuckDB warehouse at ``path`` from the store.

    Athletes an operator hid are left out unless ``include_hidden``; the warehouse remembers
    whom it left out and rebuilds when that changes (a hidden athlete shown again, or the
    flag flipped), since an incremental run re-reads only changed rows.

    Progress: ``on_total`` is told how many activities this run re-reads (one COUNT in the
    caller's snapshot, once the watermark is known), ``on_rows`` each batch's size once
    upserted. ``watch`` times the stages: ``query`` (the store's reads), ``views`` (the views
    and the final commit), ``write`` (the rest)."""
    watch = watch or Stopwatch()
    duckdb = optional.duckdb("the DuckDB export")
    pa, _ = optional.pyarrow("the DuckDB export")
    path.parent.mkdir(parents=True, exist_ok=True)
    duck = duckdb.connect(
        str(path),
        config={
            "memory_limit": memory_limit,
            "threads": 1,
            "preserve_insertion_order": False,
            "temp_directory": f"{path}.tmp",
        },
    )
    try:
        recreated = _create_tables(duck)
        duck.execute(
            "CREATE TABLE IF NOT EXISTS export_state (key VARCHAR PRIMARY KEY, value VARCHAR)"
        )
        left_out = [] if include_hidden else queries.hidden_ids(conn)  # no id kept: a digest
        visibility = hashlib.sha256(json.dumps(left_out).encode()).hexdigest()
        previous = None if full or recreated else _read_mark(duck)
        if _read_state(duck, "visibility") != visibility:
            previous = None
        if previous is None:
            full = True
            # the mark goes first: a crash during the rebuild makes the next run rebuild again
            duck.execute("DELETE FROM export_state WHERE key = 'mark'")
            for name in ALL_TABLES:
                duck.execute(f"DELETE FROM {name}")
        since = previous - MARGIN if previous is not None else None
        with watch.timed("query"):
            a_mark, d_mark = queries.newest_marks(conn)  # before reading: later ones next time
            s_mark = queries.newest_streams_mark(conn)
            # removals (purges, deletions) this run follows: a later one marks it behind
            removals_seen = removals.current(conn)
            if on_total is not None:
                on_total(
                    queries.count_activities(
                        conn, changed_since=since, include_hidden=include_hidden
                    )
                )
        loader = _Loader(duck, pa)
        upserted = 0
        stream = queries.iter_activities(conn, changed_since=since, include_hidden=include_hidden)
        for batch in _batches(watch.iterate("query", stream), batch_rows):
            loader.insert("activities", [_warehouse_activity(r) for r in batch], replace=not full)
            upserted += len(batch)
            if on_rows is not None:
                on_rows(len(batch))
        # a rebuild read only live rows: nothing to sweep
        removed = 0 if full else _sweep(duck, pa, conn, include_hidden)
        details = _load_details(duck, loader, conn, since, batch_rows, include_hidden, watch)
        samples = _load_streams(duck, loader, conn, since, include_hidden, watch)
        with watch.timed("views"):
            duck.execute("BEGIN TRANSACTION")
            # athletes and their gear are small: replaced whole (a purge leaves no row behind)
            for table, rows in (
                ("athletes", queries.athlete_rows(conn, include_hidden=include_hidden)),
                ("gear", queries.gear_rows(conn, include_hidden=include_hidden)),
            ):
                duck.execute(f"DELETE FROM {table}")
                loader.insert(
                    table,
                    [_naive_utc(conform(r, ALL_TABLES[table]), ALL_TABLES[table]) for r in rows],
                )
            for stmt in view_statements():
                duck.execute(stmt)
            marks = [m for m in (a_mark, d_mark, s_mark) if m is not None]
            if marks:
                duck.execute(
                    "INSERT OR REPLACE INTO export_state VALUES ('mark', ?)",
                    [max(marks).astimezone(UTC).isoformat()],
                )
            duck.execute(
                "INSERT OR REPLACE INTO export_state VALUES ('visibility', ?)", [visibility]
            )
            duck.execute(
                "INSERT OR REPLACE INTO export_state VALUES ('removals', ?)", [str(removals_seen)]
            )
            duck.execute("COMMIT")
    finally:
        duck.close()
    return WarehouseReport(upserted, removed, details, full, samples)


def removals_seen(path: Path) -> int | None:
    """The store's removal counter the warehouse at ``path`` was last refreshed at (None: no
    warehouse, or one written before the counter existed). Opens it read-only."""
    if not path.exists():
        return None
    duckdb = optional.duckdb("the DuckDB export")
    duck = duckdb.connect(str(path), read_only=True)
    try:
        try:
            value = _read_state(duck, "removals")
        except duckdb.Error:  # no export_state table: never refreshed to the end
            return None
    finally:
        duck.close()
    return int(value) if value is not None else None


def _sweep(duck: Any, pa: Any, conn: Connection, include_hidden: bool) -> int:
    """Drop activities (and their child rows) the store no longer holds live.

    One page of live ids at a time: every warehouse row whose id falls in the page's id range
    (from just after the previous page's last id) but is not in the page goes; after the last
    page, every row beyond it. Memory is bounded by a page, whatever the mirror's size."""
    schema = pa.schema([pa.field("id", pa.int64())])
    removed = 0
    low: int | None = None  # ids <= low were handled by earlier pages

    def drop(where: str, params: list[int], with_page: bool) -> int:
        keep = " AND id NOT IN (SELECT id FROM _ids)" if with_page else ""
        child_keep = " AND activity_id NOT IN (SELECT id FROM _ids)" if with_page else ""
        cond = where.format(col="id")
        n = int(duck.execute(f"DELETE FROM activities WHERE {cond}{keep}", params).fetchall()[0][0])
        for table in CHILD_TABLES:
            child = where.format(col="activity_id")
            duck.execute(f"DELETE FROM {table} WHERE {child}{child_keep}", params)
        return n

    for ids in queries.iter_live_ids(conn, include_hidden=include_hidden):
        duck.register("_ids", pa.Table.from_pydict({"id": ids}, schema=schema))
        try:
            if low is None:
                removed += drop("{col} <= ?", [ids[-1]], True)
            else:
                removed += drop("{col} > ? AND {col} <= ?", [low, ids[-1]], True)
        finally:
            duck.unregister("_ids")
        low = ids[-1]
    if low is None:
        removed += drop("TRUE", [], False)
    else:
        removed += drop("{col} > ?", [low], False)
    return removed


def _load_details(
    duck: Any,
    loader: _Loader,
    conn: Connection,
    since: datetime | None,
    batch_rows: int,
    include_hidden: bool,
    watch: Stopwatch,
) -> int:
    """Replace the child rows of every activity whose details were fetched since ``since``."""
    count = 0
    stream = queries.iter_details(conn, fetched_since=since, include_hidden=include_hidden)
    for batch in _batches(watch.iterate("query", stream), max(1, batch_rows // 20)):
        ids = [int(d["activity_id"]) for d in batch]
        flat = [flatten_detail(d) for d in batch]
        for table in DETAIL_TABLES:
            marks = ", ".join("?" for _ in ids)
            duck.execute(f"DELETE FROM {table} WHERE activity_id IN ({marks})", ids)
            loader.insert(table, [row for f in flat for row in f[table]])
        count += len(batch)
    return count


def _load_streams(
    duck: Any,
    loader: _Loader,
    conn: Connection,
    since: datetime | None,
    include_hidden: bool,
    watch: Stopwatch,
    batch_rows: int = STREAM_BATCH_ROWS,
) -> int:
    """Replace the samples of every activity whose streams were fetched since ``since``,
    ``batch_rows`` samples (a few activities) per insert; samples written."""
    written = 0
    ids: list[int] = []
    cols: dict[str, list[Any]] = {}
    pending = 0

    def flush() -> None:
        nonlocal ids, cols, pending
        if ids:
            marks = ", ".join("?" for _ in ids)
            duck.execute(f"DELETE FROM streams WHERE activity_id IN ({marks})", ids)
        if pending:
            loader.insert_columns("streams", cols)
        ids, cols, pending = [], {}, 0

    stream = queries.iter_streams(conn, fetched_since=since, include_hidden=include_hidden)
    for act in watch.iterate("query", stream):
        part, n = stream_columns(act.activity_id, act.athlete_id, act.streams)
        ids.append(act.activity_id)
        for name, values in part.items():
            cols.setdefault(name, []).extend(values)
        pending += n
        written += n
        if pending >= batch_rows or len(ids) >= 500:
            flush()
    flush()
    return written
