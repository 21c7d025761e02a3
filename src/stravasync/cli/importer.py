"""``stravasync import-archive ATHLETE_ID export.zip``: history from a Strava account export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import typer

from stravasync.cli.common import err_console, fail, open_database, service_clock, settings
from stravasync.cli.export import plain_errors


@plain_errors
def import_archive(
    athlete_id: int = typer.Argument(..., help="The Strava athlete id the archive belongs to."),
    archive: Path = typer.Argument(..., help="The account export zip."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Fill an athlete's history from their Strava account export (no API quota spent).

    Rows already mirrored from the API are kept; afterwards one cheap reconcile listing is
    requested. Problems with single rows or files are listed; everything else is imported.
    Each activity's original FIT/GPX/TCX file is kept in the database as the export held it.
    The athlete must be connected first (`stravasync auth`): rows of an athlete the mirror
    does not know would be shown by no command.
    """
    from stravasync.archive.importer import import_archive as run_import
    from stravasync.cli.progress import counter, live
    from stravasync.store.people.athletes import get_athlete

    cfg = settings()
    db = open_database(cfg)
    with db.engine.connect() as conn:
        known = get_athlete(conn, athlete_id) is not None
    if not known:  # exit 2 before the archive is read: nothing is written
        raise fail(
            f"athlete {athlete_id} is not in the mirror: connect them first "
            "(`stravasync auth`, or /connect on the service), then import their archive"
        )
    with live(as_json) as show:
        hooks: dict[str, Callable[[int], None]] = {}

        def on_batch(rows: int, total: int) -> None:
            if "step" not in hooks:
                step = counter(show, "import", total)
                if step is None:
                    return
                hooks["step"] = step
            hooks["step"](rows)

        report = run_import(db, athlete_id, archive, service_clock(cfg).now(), on_batch=on_batch)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        for problem in report.problems:
            err_console.print(str(problem), highlight=False, markup=False)
        typer.echo(
            f"{report.language} export, {report.rows} row(s): {report.imported} imported, "
            f"{report.refreshed} refreshed, {report.kept} already mirrored, "
            f"{len(report.errors)} error(s), {len(report.warnings)} warning(s), "
            f"{report.originals} original file(s) kept; reconcile "
            + ("requested" if report.reconcile_requested else "not requested")
        )
    if report.errors:
        raise typer.Exit(1)
