"""``stravasync status``: athletes, their sync state and activity counts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from stravasync.cli.common import (
    console,
    err_console,
    friendly_errors,
    missing_sqlite_file,
    open_database,
    settings,
)

if TYPE_CHECKING:
    from stravasync.store.athletes import AthleteOverview


@friendly_errors
def status(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Show every athlete with their sync state and activity counts."""
    from stravasync.store import athletes as athlete_queries

    cfg = settings()
    missing = missing_sqlite_file(cfg.database_url)
    if missing is not None:  # a read-only look creates nothing; say where the mirror will be
        err_console.print(
            f"no database at {missing} yet: nothing is mirrored (`stravasync db upgrade`, "
            "`stravasync auth` or `stravasync sync` create it)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        rows: list[AthleteOverview] = []
    else:
        db = open_database(cfg)
        with db.engine.connect() as conn:
            rows = athlete_queries.overview(conn)
    if as_json:
        typer.echo(json.dumps([row.as_json() for row in rows], indent=2))
        return
    table = Table(title=f"{len(rows)} athletes")
    # ids and times are never cut or wrapped at a narrow terminal; long text folds instead
    id_width = max((len(str(r.athlete_id)) for r in rows), default=7)
    table.add_column("athlete", no_wrap=True, min_width=id_width)
    table.add_column("name", overflow="fold")
    table.add_column("status", overflow="fold")
    table.add_column("activities", no_wrap=True, justify="right")
    counted = any(r.strava_count is not None for r in rows)
    if counted:  # Strava's own count, fetched for backfills longer than a page
        table.add_column("on Strava", no_wrap=True, justify="right")
    table.add_column("backfill", overflow="fold")
    table.add_column("last sync", no_wrap=True)
    table.add_column("due", no_wrap=True)
    table.add_column("error", overflow="fold")
    for row in rows:
        table.add_row(
            str(row.athlete_id),
            row.name,
            row.status
            + (" (hidden)" if row.hidden else "")
            + ("" if row.auto_sync else " (opt-out)"),
            str(row.activity_count),
            *([on_strava(row.strava_count)] if counted else []),
            "done" if row.backfill_done else "in progress",
            row.last_success_at.isoformat(timespec="seconds") if row.last_success_at else "never",
            row.due_at.isoformat(timespec="seconds") if row.due_at else "-",
            (row.last_error or "")[:60],
        )
    if counted:
        table.caption = "on Strava: Strava's count of rides, runs and swims, a lower bound"
    console.print(table)


def on_strava(count: int | None) -> str:
    """``≥ 300``: Strava's count, a lower bound of the history; ``-`` when never fetched."""
    return "-" if count is None else f"≥ {count}"
