"""``stravasync stats ...`` (Eddington numbers, refresh of cached stats), and the registration
of issue 8's commands: ``stats``, ``export``, ``query``, ``import-archive``."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from stravasync.cli.common import (
    console,
    list_table,
    open_database,
    service_clock,
    settings,
    unknown_athlete,
)
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
    from stravasync.store.people import athletes as athlete_queries

    known = [row.athlete_id for row in athlete_queries.overview(conn)]
    if athlete is None:
        return known
    if athlete not in known:  # zeros would look like a real answer to a script
        raise unknown_athlete(athlete)
    return [athlete]


def _per_athlete(athlete: int | None, part: Callable[[dict[str, Any]], Any]) -> dict[int, Any]:
    """``part`` of each asked athlete's stats (all athletes, or the one given: unknown exits 2)."""
    from stravasync.stats.service import athlete_stats

    db = open_database(settings())
    with db.engine.connect() as conn:
        return {aid: part(athlete_stats(conn, aid)) for aid in _athlete_ids(conn, athlete)}


def _echo_json(per_athlete: dict[int, Any]) -> None:
    typer.echo(json.dumps({str(k): v for k, v in per_athlete.items()}, indent=2))


def _cell(e: dict[str, int]) -> str:
    return f"{e['number']} (+{e['days_needed_for_next']} for {e['next']})"


@app.command("eddington")
@plain_errors
def eddington(
    athlete: int | None = typer.Option(None, "--athlete", help="One athlete id (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Eddington numbers (km and miles; overall, ride, run) and days needed for the next one."""
    numbers = _per_athlete(athlete, lambda s: s["eddington"])
    if as_json:
        _echo_json(numbers)
        return
    table = list_table("Eddington number (days still needed for the next)")
    for col in ("athlete", "sports", "km", "miles"):
        table.add_column(col, no_wrap=True)
    for aid, report in numbers.items():
        for group in ("overall", "ride", "run"):
            table.add_row(
                str(aid), group, _cell(report[group]["km"]), _cell(report[group]["miles"])
            )
    console.print(table)


@app.command("refresh")
@plain_errors
def refresh(
    athlete: int | None = typer.Option(None, "--athlete", help="One athlete id (default: all)."),
    force: bool = typer.Option(False, "--force", help="Recompute even if nothing changed."),
) -> None:
    """Recompute cached stats (the sync engine does this after every sync that changes data)."""
    from stravasync.stats.refresh import refresh_athlete_stats

    cfg = settings()
    db = open_database(cfg)
    now = service_clock(cfg).now()
    with db.transaction() as conn:
        done = [
            a
            for a in _athlete_ids(conn, athlete)
            if refresh_athlete_stats(conn, a, now, force=force)
        ]
    typer.echo(f"stats recomputed for {len(done)} athlete(s)")


class Period(StrEnum):
    YEARLY = "yearly"
    MONTHLY = "monthly"
    WEEKLY = "weekly"


@app.command("rollups")
@plain_errors
def rollups(
    athlete: int | None = typer.Option(None, "--athlete", help="One athlete id (default: all)."),
    period: Period = typer.Option(Period.YEARLY, "--period", help="yearly | monthly | weekly"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Totals per period and sport: count, distance, moving time, elevation gain."""
    rows = _per_athlete(athlete, lambda s: s["rollups"][period.value])
    if as_json:
        _echo_json(rows)
        return
    table = list_table(f"{period.value} totals (days in each athlete's time zone)")
    for col in ("athlete", "period", "sport", "count", "km", "hours", "climb m"):
        table.add_column(col, no_wrap=True, justify="left" if col in _TEXT else "right")
    for aid, items in rows.items():
        for r in items:
            table.add_row(
                str(aid),
                r["period"],
                r["sport"],
                str(r["count"]),
                f"{r['distance_m'] / 1000:.1f}",
                f"{r['moving_time_s'] / 3600:.1f}",
                f"{r['elevation_m']:.0f}",
            )
    console.print(table)


_TEXT = ("athlete", "period", "sport", "record", "activity", "date")


@app.command("records")
@plain_errors
def records(
    athlete: int | None = typer.Option(None, "--athlete", help="One athlete id (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Longest activity and biggest climb, overall, for rides and for runs."""
    found = _per_athlete(athlete, lambda s: s["records"])
    if as_json:
        _echo_json(found)
        return
    table = list_table("records")
    for col in ("athlete", "record", "km", "climb m", "date", "activity"):
        table.add_column(
            col, no_wrap=col != "activity", justify="left" if col in _TEXT else "right"
        )
    for aid, groups in found.items():
        for group, best in groups.items():
            for kind, ref in best.items():
                if ref is None:
                    continue
                table.add_row(
                    str(aid),
                    f"{group} {kind.replace('_', ' ')}",
                    f"{ref['distance_m'] / 1000:.1f}",
                    f"{ref['elevation_m']:.0f}",
                    ref["start_date_local"][:10],
                    f"{ref['name']} ({ref['id']})",
                )
    console.print(table)
