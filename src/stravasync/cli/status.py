"""``stravasync status``: athletes, their sync state and activity counts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from stravasync.cli.common import (
    console,
    err_console,
    friendly_errors,
    list_table,
    missing_sqlite_file,
    open_database,
    relative,
    service_clock,
    settings,
)

if TYPE_CHECKING:
    from stravasync.store.people.athletes import AthleteOverview


@friendly_errors
def status(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Show every athlete with their sync state and activity counts."""
    from stravasync.store.people import athletes as athlete_queries

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
    now = service_clock(cfg).now()
    table = list_table(f"{len(rows)} athletes")
    # ids, counts and times are never cut or wrapped at 80 columns; names fold; each error
    # is a line under the table, whole, instead of a column squeezing the others to nothing
    table.add_column("athlete", no_wrap=True)
    table.add_column("name", overflow="fold", ratio=1)
    table.add_column("status", overflow="fold", ratio=1)
    table.add_column("activities", no_wrap=True, justify="right")
    counted = any(r.strava_count is not None for r in rows)
    if counted:  # Strava's own count, fetched for backfills longer than a page
        table.add_column("on Strava", no_wrap=True, justify="right")
    table.add_column("last sync", no_wrap=True)
    table.add_column("due", no_wrap=True)
    for row in rows:
        table.add_row(
            str(row.athlete_id),
            row.name,
            row.status
            + ("" if row.backfill_done else ", backfilling")
            + (", hidden" if row.hidden else "")
            + ("" if row.auto_sync else ", opt-out")
            + (", error" if row.last_error else ""),
            str(row.activity_count),
            *([on_strava(row.strava_count)] if counted else []),
            relative(row.last_success_at, now) if row.last_success_at else "never",
            relative(row.due_at, now) if row.due_at else "-",
        )
    if counted:
        table.caption = "on Strava: Strava's count of rides, runs and swims, a lower bound"
    console.print(table)
    for row in rows:
        if row.last_error:
            console.print(
                f"athlete {row.athlete_id}: {row.last_error[:200]}",
                highlight=False,
                markup=False,
            )


def on_strava(count: int | None) -> str:
    """``≥ 300``: Strava's count, a lower bound of the history; ``-`` when never fetched."""
    return "-" if count is None else f"≥ {count}"
