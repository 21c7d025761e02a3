"""``stravasync export`` (jsonl, csv, parquet, duckdb) and ``stravasync query "SQL"``."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.table import Table

from stravasync.cli.common import (
    console,
    err_console,
    fail,
    open_database,
    settings,
    unknown_athlete,
)
from stravasync.errors import StravaSyncError

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


@plain_errors
def export(
    fmt: Format = typer.Option(..., "--format", help="jsonl | csv | parquet | duckdb"),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="File (jsonl, csv, duckdb; '-' = stdout for jsonl/csv) or directory (parquet). "
        "duckdb defaults to STRAVASYNC_EXPORT_WAREHOUSE.",
    ),
    athlete: int | None = typer.Option(None, "--athlete", help="Only this athlete's activities."),
    full: bool = typer.Option(False, "--full", help="duckdb: rebuild instead of upserting."),
    include_hidden: bool = typer.Option(
        False, "--include-hidden", help="Also athletes an operator hid (left out by default)."
    ),
) -> None:
    """Export the mirror (live activities only; deleted ones are left out)."""
    from stravasync.cli.progress import counter, live
    from stravasync.export.parquet import export_parquet
    from stravasync.export.textformats import write_csv, write_jsonl
    from stravasync.export.warehouse import refresh_warehouse
    from stravasync.store.athletes import get_athlete

    cfg = settings()
    if out is None:
        if fmt is not Format.DUCKDB:
            raise fail("--out is required for this format")
        out = cfg.export_warehouse
    db = open_database(cfg)
    with db.snapshot() as conn, live(False) as show:
        if athlete is not None and get_athlete(conn, athlete) is None:
            raise unknown_athlete(athlete)  # an empty file would look like a real export
        rows = counter(show, "export")
        if fmt is Format.JSONL:
            count = write_jsonl(
                conn, out, athlete_id=athlete, include_hidden=include_hidden, on_rows=rows
            )
            err_console.print(f"{count} activities written to {out}", highlight=False)
        elif fmt is Format.CSV:
            count = write_csv(
                conn, out, athlete_id=athlete, include_hidden=include_hidden, on_rows=rows
            )
            err_console.print(f"{count} activities written to {out}", highlight=False)
        elif fmt is Format.PARQUET:
            report = export_parquet(conn, out, athlete_id=athlete, include_hidden=include_hidden)
            typer.echo(json.dumps(report.rows))
        else:
            if athlete is not None:
                raise fail("--athlete is not supported with --format duckdb (one warehouse)")
            built = refresh_warehouse(conn, out, full=full, include_hidden=include_hidden)
            typer.echo(json.dumps(built.as_json()))


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

    path = warehouse or settings().export_warehouse
    result = run_query(path, sql)
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
