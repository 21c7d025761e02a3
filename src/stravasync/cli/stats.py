"""``stravasync stats ...`` (Eddington numbers, refresh of cached stats), and the registration
of issue 8's commands: ``stats``, ``export``, ``query``, ``import-archive``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from stravasync.cli.common import console, open_database, settings, unknown_athlete
from stravasync.cli.export import plain_errors

if TYPE_CHECKING:
    from sqlalchemy import Connection

app = typer.Typer(help="Eddington numbers, rollups and records per athlete.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add issue 8's commands to the root app (one line in cli/__init__.py)."""
    from stravasync.cli import export, importer

    root.add_typer(app, name="stats")
    root.command("export")(export.export)
    root.command("query")(export.query)
    root.command("import-archive")(importer.import_archive)


def _athlete_ids(conn: Connection, athlete: int | None) -> list[int]:
    from stravasync.store import athletes as athlete_queries

    known = [row.athlete_id for row in athlete_queries.overview(conn)]
    if athlete is None:
        return known
    if athlete not in known:  # zeros would look like a real answer to a script
        raise unknown_athlete(athlete)
    return [athlete]


def _cell(e: dict[str, int]) -> str:
    return f"{e['number']} (+{e['days_needed_for_next']} for {e['next']})"


@app.command("eddington")
@plain_errors
def eddington(
    athlete: int | None = typer.Option(None, "--athlete", help="One athlete id (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Eddington numbers (km and miles; overall, ride, run) and days needed for the next one."""
    from stravasync.stats.service import athlete_stats

    db = open_database(settings())
    with db.engine.connect() as conn:
        ids = _athlete_ids(conn, athlete)
        numbers = {aid: athlete_stats(conn, aid)["eddington"] for aid in ids}
    if as_json:
        typer.echo(json.dumps({str(k): v for k, v in numbers.items()}, indent=2))
        return
    table = Table(title="Eddington number (days still needed for the next)")
    table.add_column("athlete")
    for group in ("overall", "ride", "run"):
        for unit in ("km", "miles"):
            table.add_column(f"{group} {unit}")
    for aid, report in numbers.items():
        cells = [_cell(report[g][u]) for g in ("overall", "ride", "run") for u in ("km", "miles")]
        table.add_row(str(aid), *cells)
    console.print(table)


@app.command("refresh")
@plain_errors
def refresh(
    athlete: int | None = typer.Option(None, "--athlete", help="One athlete id (default: all)."),
    force: bool = typer.Option(False, "--force", help="Recompute even if nothing changed."),
) -> None:
    """Recompute cached stats (the sync engine does this after every sync that changes data)."""
    from stravasync.clock import utcnow
    from stravasync.stats.refresh import refresh_athlete_stats

    db = open_database(settings())
    now = utcnow()
    with db.transaction() as conn:
        done = [
            a
            for a in _athlete_ids(conn, athlete)
            if refresh_athlete_stats(conn, a, now, force=force)
        ]
    typer.echo(f"stats recomputed for {len(done)} athlete(s)")
