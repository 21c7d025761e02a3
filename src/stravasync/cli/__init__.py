"""The ``stravasync`` command line: thin commands that build objects from config and call one
service each. Every area registers its commands in its own module here."""

from __future__ import annotations

import typer

from stravasync import __version__
from stravasync.cli import (
    athletes,
    auth,
    backup,
    db,
    demo,
    doctor,
    logs,
    scheduler,
    serve,
    simulate,
    stats,
    status,
    sync,
)

app = typer.Typer(
    name="stravasync",
    help="Keep a faithful local mirror of Strava activities within Strava's rate limits.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # click's plain help: paragraphs re-flowed at word boundaries, option names never cut
    # (rich's panels cut names and break words at 80 columns); errors stay one plain line
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stravasync {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """stravasync: a Strava sync engine."""


app.add_typer(db.app, name="db")
app.command("status")(status.status)
app.command("simulate")(simulate.simulate)  # issue 3: the Strava simulator
app.command("logs")(logs.logs)
app.command("sync")(sync.sync)  # issue 5: the sync engine
app.command("demo")(demo.demo)  # make demo
stats.register(app)  # issue 8: stats, export, query, import-archive
app.add_typer(auth.app, name="auth")  # issue 4: connect athletes
serve.register(app)  # issue 6: serve, web, worker, webhooks
app.command("doctor")(doctor.doctor)  # issue 13: check the setup against the real Strava
athletes.register(app)  # issue 12: operator switches, sync everyone, reset stuck, app state
app.add_typer(scheduler.app, name="scheduler")  # issue 15: jobs on a clock
app.command("backup")(backup.backup)  # issue 23: database + key archive
app.command("restore")(backup.restore)


def main() -> None:
    app()
