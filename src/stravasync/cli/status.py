"""``stravasync status``: athletes, their sync state and activity counts."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from stravasync.cli.common import console, friendly_errors, open_database, settings


@friendly_errors
def status(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Show every athlete with their sync state and activity counts."""
    from stravasync.store import athletes as athlete_queries

    cfg = settings()
    db = open_database(cfg)
    with db.engine.connect() as conn:
        rows = athlete_queries.overview(conn)
    if as_json:
        typer.echo(json.dumps([row.as_json() for row in rows], indent=2))
        return
    table = Table(title=f"{len(rows)} athletes")
    for col in ("athlete", "name", "status", "activities", "backfill", "last sync", "due", "error"):
        table.add_column(col)
    for row in rows:
        table.add_row(
            str(row.athlete_id),
            row.name,
            row.status
            + (" (hidden)" if row.hidden else "")
            + ("" if row.auto_sync else " (opt-out)"),
            str(row.activity_count),
            "done" if row.backfill_done else "in progress",
            row.last_success_at.isoformat(timespec="seconds") if row.last_success_at else "never",
            row.due_at.isoformat(timespec="seconds") if row.due_at else "-",
            (row.last_error or "")[:60],
        )
    console.print(table)
