"""JSON Lines and CSV exports: streamed row by row, written atomically (or to stdout).

- JSONL: one object per live activity: ``athlete_id``, ``id`` and every summary field as last
  seen (the stored raw SummaryActivity). Deleted activities are left out.
- CSV: one line per live activity with the typed columns (see ``tables.ACTIVITIES``); the raw
  summary JSON is the last column. Beside a CSV file (not stdout), ``NAME-gear.csv`` holds the
  athletes' bikes and shoes (``tables.GEAR``), rewritten with every export.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from stravasync.export.atomic import atomic_text
from stravasync.export.stopwatch import Stopwatch
from stravasync.export.tables import ACTIVITIES, GEAR, activity_row, conform, names
from stravasync.store.mirror.exports import gear_rows, iter_activities

STDOUT = Path("-")


PROGRESS_EVERY = 500  # rows between two progress reports


@contextmanager
def _output(out: Path, newline: str | None = None) -> Iterator[IO[str]]:
    if out == STDOUT:
        yield sys.stdout
        sys.stdout.flush()
        return
    with atomic_text(out, newline=newline) as fh:
        yield fh


def _rows(
    conn: Connection, athlete_id: int | None, include_hidden: bool, watch: Stopwatch | None
) -> Iterator[dict[str, Any]]:
    """The store's rows, their reading timed as ``query`` when a stopwatch is given."""
    rows = iter_activities(conn, athlete_id=athlete_id, include_hidden=include_hidden)
    return rows if watch is None else watch.iterate("query", rows)


def jsonl_object(row: dict[str, Any]) -> dict[str, Any]:
    """The exported object of a stored activity row (``athlete_id`` and ``id`` first)."""
    summary = row.get("summary_json") or {}
    body = {k: v for k, v in summary.items() if k not in ("athlete_id", "id")}
    return {"athlete_id": row["athlete_id"], "id": row["id"], **body}


def write_jsonl(
    conn: Connection,
    out: Path,
    *,
    athlete_id: int | None = None,
    include_hidden: bool = False,
    on_rows: Callable[[int], None] | None = None,
    watch: Stopwatch | None = None,
) -> int:
    """Write every live activity as one JSON line; returns how many."""
    count = 0
    with _output(out) as fh:
        for row in _rows(conn, athlete_id, include_hidden, watch):
            fh.write(json.dumps(jsonl_object(row), ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")
            count += 1
            if on_rows is not None and count % PROGRESS_EVERY == 0:
                on_rows(PROGRESS_EVERY)
    if on_rows is not None and count % PROGRESS_EVERY:
        on_rows(count % PROGRESS_EVERY)
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None:
        return ""
    return value


def write_csv(
    conn: Connection,
    out: Path,
    *,
    athlete_id: int | None = None,
    include_hidden: bool = False,
    on_rows: Callable[[int], None] | None = None,
    watch: Stopwatch | None = None,
) -> int:
    """Write every live activity as a CSV line with a header; returns how many."""
    count = 0
    with _output(out, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names(ACTIVITIES))
        for row in _rows(conn, athlete_id, include_hidden, watch):
            writer.writerow([_cell(v) for v in activity_row(row).values()])
            count += 1
            if on_rows is not None and count % PROGRESS_EVERY == 0:
                on_rows(PROGRESS_EVERY)
    if on_rows is not None and count % PROGRESS_EVERY:
        on_rows(count % PROGRESS_EVERY)
    return count


def gear_csv_path(out: Path) -> Path:
    """``acts-gear.csv`` beside ``acts.csv``."""
    return out.with_name(f"{out.stem}-gear.csv")


def write_gear_csv(
    conn: Connection, out: Path, *, athlete_id: int | None = None, include_hidden: bool = False
) -> int:
    """Write the athletes' gear as CSV at ``out`` with a header; returns how many rows."""
    rows = gear_rows(conn, athlete_id, include_hidden=include_hidden)
    with _output(out, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names(GEAR))
        for row in rows:
            writer.writerow([_cell(v) for v in conform(row, GEAR).values()])
    return len(rows)
