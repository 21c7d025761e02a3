"""Partitioned Parquet export: one directory per table, one file per athlete.

Layout (Hive-style partitions, readable by DuckDB, pandas, Spark; the directory key is
``athlete`` so it never clashes with the ``athlete_id`` column every file also carries)::

    OUT/activities/athlete=123/part-0.parquet
    OUT/laps/athlete=123/part-0.parquet         (also splits, segment_efforts)
    OUT/streams/athlete=123/part-0.parquet      (one row per sample of each activity's streams)
    OUT/athletes/part-0.parquet                 (no tokens, scopes or raw profile)
    OUT/gear/part-0.parquet                     (bikes and shoes of the athletes exported)
    OUT/_manifest.json                          (written last: files and row counts)

Rows stream from the store in pages and go out in row groups of ``batch_rows``; every file is
written under a temporary name and renamed when complete, so a crash never leaves a half file
that looks complete. A full export (no ``athlete_id``) removes files of an earlier export that
it did not write (an athlete purged since) once the new ones are in place.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Connection

from stravasync.export import optional
from stravasync.export.arrowschema import arrow_schema, record_batch
from stravasync.export.atomic import atomic_text, remove_stale_temps, temp_path
from stravasync.export.stopwatch import Stopwatch
from stravasync.export.tables import (
    ALL_TABLES,
    DETAIL_TABLES,
    Spec,
    activity_row,
    conform,
    detail_rows,
    stream_columns,
)
from stravasync.store.mirror.exports import (
    athlete_rows,
    athletes_with_activities,
    gear_rows,
    iter_activities,
    iter_details,
    iter_streams,
)

BATCH_ROWS = 5_000
STREAM_BATCH_ROWS = 20_000  # stream samples per row group (a long ride is 20,000 alone)
MANIFEST = "_manifest.json"


@dataclass(slots=True)
class ExportReport:
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"files": self.files, "rows": self.rows}


class _TableWriter:
    """Streams dict rows of one table into one Parquet file, atomically (a context manager)."""

    def __init__(
        self,
        pa: ModuleType,
        pq: ModuleType,
        spec: Spec,
        batch_rows: int,
        on_rows: Callable[[int], None] | None = None,
    ) -> None:
        self.pa, self.pq = pa, pq
        self.on_rows = on_rows  # told each row group's size once written
        self.schema = arrow_schema(pa, spec)
        self.batch_rows = batch_rows
        self.count = 0
        self._batch: list[dict[str, Any]] = []
        self._cols: dict[str, list[Any]] = {}
        self._col_rows = 0
        self._writer: Any = None
        self._tmp: Path | None = None
        self._final: Path | None = None

    def open(self, final: Path) -> _TableWriter:
        final.parent.mkdir(parents=True, exist_ok=True)
        self._final, self._tmp = final, temp_path(final)
        self._writer = self.pq.ParquetWriter(str(self._tmp), self.schema, compression="zstd")
        self.count, self._batch, self._cols, self._col_rows = 0, [], {}, 0
        return self

    def add(self, row: dict[str, Any]) -> None:
        self._batch.append(row)
        if len(self._batch) >= self.batch_rows:
            self._flush()

    def add_columns(self, cols: dict[str, list[Any]], n: int) -> None:
        """``n`` rows given as columns (the streams: thousands of samples per activity)."""
        for name, values in cols.items():
            self._cols.setdefault(name, []).extend(values)
        self._col_rows += n
        if self._col_rows >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._col_rows:
            batch = self.pa.RecordBatch.from_pydict(self._cols, schema=self.schema)
            self._writer.write_batch(batch)
            self.count += self._col_rows
            self._cols, self._col_rows = {}, 0
        if self._batch or self.count == 0:
            self._writer.write_batch(record_batch(self.pa, self.schema, self._batch))
        self.count += len(self._batch)
        if self.on_rows is not None and self._batch:
            self.on_rows(len(self._batch))
        self._batch = []

    def __enter__(self) -> _TableWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._tmp is not None and self._final is not None
        try:
            if exc_type is None and (self._batch or self._col_rows or self.count == 0):
                self._flush()
            self._writer.close()
            if exc_type is None:
                os.replace(self._tmp, self._final)
        finally:
            self._tmp.unlink(missing_ok=True)

    def write(self, final: Path, rows: Iterable[dict[str, Any]]) -> int:
        with self.open(final):
            for row in rows:
                self.add(row)
        return self.count


def export_parquet(
    conn: Connection,
    out: Path,
    *,
    athlete_id: int | None = None,
    batch_rows: int = BATCH_ROWS,
    include_hidden: bool = False,
    on_rows: Callable[[int], None] | None = None,
    watch: Stopwatch | None = None,
) -> ExportReport:
    """Export the mirror (or one athlete) as partitioned Parquet under ``out``; athletes an
    operator hid are left out (and their files removed) unless ``include_hidden``.

    ``on_rows``: told the size of each row group of activities written (progress);
    ``watch``: times the store's reads (``query``; the rest is ``write``)."""
    pa, pq = optional.pyarrow("the Parquet export")
    watch = watch or Stopwatch()
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)
    report = ExportReport(rows={name: 0 for name in ALL_TABLES})
    writers = {name: _TableWriter(pa, pq, spec, batch_rows) for name, spec in ALL_TABLES.items()}
    writers["activities"].on_rows = on_rows

    def put(table: str, rel: str, rows: Iterable[dict[str, Any]]) -> None:
        report.rows[table] += writers[table].write(out / rel, watch.iterate("query", rows))
        report.files.append(rel)

    with watch.timed("query"):
        who = athletes_with_activities(conn, athlete_id, include_hidden=include_hidden)
    for athlete in who:
        part = f"athlete={athlete}/part-0.parquet"
        put(
            "activities",
            f"activities/{part}",
            (
                activity_row(r)
                for r in iter_activities(conn, athlete_id=athlete, include_hidden=True)
            ),
        )
        children = {t: _TableWriter(pa, pq, ALL_TABLES[t], batch_rows) for t in DETAIL_TABLES}
        with contextlib.ExitStack() as stack:  # one pass over details feeds the three tables
            for table, writer in children.items():
                stack.enter_context(writer.open(out / f"{table}/{part}"))
            details = iter_details(conn, athlete_id=athlete, include_hidden=True)
            for detail in watch.iterate("query", details):
                for table, rows in detail_rows(detail).items():
                    for row in rows:
                        children[table].add(row)
        for table, writer in children.items():
            report.rows[table] += writer.count
            report.files.append(f"{table}/{part}")
        samples = _TableWriter(pa, pq, ALL_TABLES["streams"], max(batch_rows, STREAM_BATCH_ROWS))
        with samples.open(out / f"streams/{part}"):
            stored = iter_streams(conn, athlete_id=athlete, include_hidden=True)
            for act in watch.iterate("query", stored):
                samples.add_columns(*stream_columns(act.activity_id, athlete, act.streams))
        report.rows["streams"] += samples.count
        report.files.append(f"streams/{part}")
    put(
        "athletes",
        "athletes/part-0.parquet",
        (
            conform(r, ALL_TABLES["athletes"])
            for r in athlete_rows(conn, athlete_id, include_hidden=include_hidden)
        ),
    )
    put(
        "gear",
        "gear/part-0.parquet",
        (
            conform(r, ALL_TABLES["gear"])
            for r in gear_rows(conn, athlete_id, include_hidden=include_hidden)
        ),
    )
    if athlete_id is None:
        _remove_unlisted(out, set(report.files))
    with atomic_text(out / MANIFEST) as fh:
        json.dump(report.as_json(), fh, indent=2)
    return report


def _remove_unlisted(out: Path, keep: set[str]) -> None:
    """Delete Parquet files of our tables that this export did not (re)write."""
    for table in ALL_TABLES:
        root = out / table
        if not root.is_dir():
            continue
        for path in root.rglob("*.parquet"):
            if path.relative_to(out).as_posix() not in keep:
                path.unlink()
        for sub in sorted(root.iterdir(), reverse=True):
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()
