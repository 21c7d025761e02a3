"""``stravasync export`` (jsonl, csv, parquet, duckdb, originals, gpx, tcx) and ``stravasync query
"SQL"``."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from rich.table import Table

from stravasync.cli.common import (
    console,
    err_console,
    fail,
    missing_sqlite_file,
    open_database,
    service_clock,
    settings,
    unknown_athlete,
)
from stravasync.errors import StravaSyncError

STDOUT = Path("-")  # stravasync.export.textformats.STDOUT, without importing the exporter

if TYPE_CHECKING:  # the CLI imports no exporter before a command needs it
    from sqlalchemy import Connection

    from stravasync.cli.progress import RowCounter
    from stravasync.config import Settings
    from stravasync.export.stopwatch import Stopwatch

P = ParamSpec("P")
R = TypeVar("R")


def plain_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Like ``friendly_errors`` but the message is printed literally (no rich markup), so
    ``pip install "stravasync[export]"`` keeps its brackets."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except StravaSyncError as exc:
            raise fail(str(exc)) from None

    return wrapper


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"
    DUCKDB = "duckdb"
    ORIGINALS = "originals"
    GPX = "gpx"
    TCX = "tcx"


@plain_errors
def export(
    fmt: Format = typer.Option(
        ...,
        "--format",
        help="jsonl | csv | parquet | duckdb | originals (device files) | gpx | tcx (tracks)",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="File (jsonl, csv, duckdb; '-' = stdout for jsonl/csv) or directory (parquet, "
        "originals, gpx, tcx). "
        "duckdb defaults to STRAVASYNC_EXPORT_WAREHOUSE.",
    ),
    athlete: int | None = typer.Option(None, "--athlete", help="Only this athlete's activities."),
    full: bool = typer.Option(False, "--full", help="duckdb: rebuild instead of upserting."),
    include_hidden: bool = typer.Option(
        False, "--include-hidden", help="Also athletes an operator hid (left out by default)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the report as JSON on stdout (and no progress)."
    ),
    mkdir: bool = typer.Option(
        False, "--mkdir", help="Create the folder --out goes in when it does not exist."
    ),
) -> None:
    """Export the mirror (live activities only; deleted ones are left out).

    On a terminal a progress line shows batches, activities, and an ETA; each run is recorded
    as a session with its stage timings (query, write, views), shown on the dashboard."""
    from stravasync.cli.progress import counter, live
    from stravasync.export.runs import mode_of, recorded
    from stravasync.store.mirror.exports import count_activities
    from stravasync.store.people.athletes import get_athlete

    cfg = settings()
    created: Path | None = None
    if out is None:
        if fmt is not Format.DUCKDB:
            raise fail("--out is required for this format")
        out = cfg.export_warehouse
    elif out != STDOUT and not out.parent.exists():  # a typo must not become a new folder
        if not mkdir:
            raise fail(f"--out {out}: the folder {out.parent} does not exist (--mkdir creates it)")
        created = out.parent
    if fmt is Format.DUCKDB and athlete is not None:
        raise fail("--athlete is not supported with --format duckdb (one warehouse)")
    to_stdout = out == STDOUT and fmt in (Format.JSONL, Format.CSV)
    if to_stdout and as_json:
        raise fail("--json cannot be used with --out - (the export itself goes to stdout)")
    db = open_database(cfg)
    clock = service_clock(cfg)
    if athlete is not None:
        with db.engine.connect() as conn:
            if get_athlete(conn, athlete) is None:  # an empty file would look like an export
                raise unknown_athlete(athlete)
    if created is not None:
        created.mkdir(parents=True)
    summary: dict[str, Any] = {"format": fmt.value}
    # the data on stdout leaves the terminal to it: no progress line over it
    mode = mode_of(fmt.value)
    with (
        recorded(db, mode=mode, trigger="cli", now=clock.now, summary=summary) as watch,
        db.snapshot() as conn,
        live(as_json or to_stdout) as show,
    ):
        rows = counter(show, "export")
        if rows is not None and fmt in (Format.JSONL, Format.CSV, Format.PARQUET):
            with watch.timed("query"):
                rows.set_total(
                    count_activities(conn, athlete_id=athlete, include_hidden=include_hidden)
                )
        report = _write(fmt, conn, out, athlete, full, include_hidden, rows, watch)
        summary["rows"] = {k: v for k, v in report.items() if k != "full"}
        if "full" in report:
            summary["full"] = report["full"]
    # one report for every format: JSON on stdout with --json, else one line on stderr (stdout
    # may be the export itself)
    if as_json:
        typer.echo(json.dumps({"format": fmt.value, "out": str(out), **report}))
        return
    if created is not None:
        err_console.print(
            f"created the folder {created}", markup=False, highlight=False, soft_wrap=True
        )
    err_console.print(
        _summary_line(fmt, out, report), markup=False, highlight=False, soft_wrap=True
    )


def _summary_line(fmt: Format, out: Path, report: dict[str, Any]) -> str:
    """``3 activities written to a.jsonl (jsonl)``: the same words for every format."""
    counts = ", ".join(
        f"{v} {k.replace('_', ' ')}"
        for k, v in report.items()
        if isinstance(v, int) and k != "full"
    )
    how = f"{fmt.value}, full rebuild" if report.get("full") else fmt.value
    where = "stdout" if out == STDOUT else str(out)
    return f"{counts} written to {where} ({how})"


def _write(
    fmt: Format,
    conn: Connection,
    out: Path,
    athlete: int | None,
    full: bool,
    include_hidden: bool,
    rows: RowCounter | None,
    watch: Stopwatch,
) -> dict[str, Any]:
    """Run one format's export; its report as a dict (row counts per table)."""
    from stravasync.export.parquet import export_parquet
    from stravasync.export.textformats import (
        gear_csv_path,
        write_csv,
        write_gear_csv,
        write_jsonl,
    )
    from stravasync.export.warehouse import refresh_warehouse

    opts: dict[str, Any] = {"include_hidden": include_hidden, "on_rows": rows, "watch": watch}
    if fmt is Format.JSONL:
        return {"activities": write_jsonl(conn, out, athlete_id=athlete, **opts)}
    if fmt is Format.CSV:
        written = {"activities": write_csv(conn, out, athlete_id=athlete, **opts)}
        if out != STDOUT:  # the gear beside it (NAME-gear.csv)
            written["gear"] = write_gear_csv(
                conn, gear_csv_path(out), athlete_id=athlete, include_hidden=include_hidden
            )
        return written
    if fmt is Format.PARQUET:
        return dict(export_parquet(conn, out, athlete_id=athlete, **opts).rows)
    if fmt is Format.ORIGINALS:
        from stravasync.export.originals import write_originals

        return write_originals(
            conn, out, athlete_id=athlete, include_hidden=include_hidden, on_rows=rows
        )
    if fmt in (Format.GPX, Format.TCX):
        from stravasync.export.tracks.trackdir import write_track_files

        return write_track_files(
            conn,
            out,
            "gpx" if fmt is Format.GPX else "tcx",
            athlete_id=athlete,
            include_hidden=include_hidden,
            on_rows=rows,
        )
    on_total = rows.set_total if rows is not None else None
    return refresh_warehouse(conn, out, full=full, on_total=on_total, **opts).as_json()


def _removals(cfg: Settings) -> int | None:
    """The mirror's removal counter (None without a database): a warehouse behind it is
    refused (issue 23: purges and deletions reach every copy)."""
    from stravasync.store import Database
    from stravasync.store.mirror import removals

    if missing_sqlite_file(cfg.database_url) is not None:
        return None
    db = Database.open(cfg.database_url, upgrade=False)
    try:
        with db.engine.connect() as conn:
            return removals.current(conn)
    finally:
        db.close()


@plain_errors
def query(
    sql: str = typer.Argument(..., help="SQL to run against the DuckDB warehouse."),
    warehouse: Path | None = typer.Option(
        None, "--db", help="DuckDB file (default STRAVASYNC_EXPORT_WAREHOUSE)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows for scripts."),
) -> None:
    """Run SQL against the DuckDB warehouse (read-only) and print a table."""
    from stravasync.export.query import run_query

    cfg = settings()
    path = warehouse or cfg.export_warehouse
    result = run_query(path, sql, removals=_removals(cfg))
    if as_json:
        typer.echo(json.dumps(result.as_dicts(), default=str, indent=2))
        return
    table = Table(title=f"{len(result.rows)} row(s)")
    for col in result.columns:
        table.add_column(col)
    for row in result.rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
    if result.truncated:
        err_console.print(f"(only the first {len(result.rows)} rows are shown)", markup=False)
