"""``stravasync sync``: a one-shot, cron-friendly burst of the sync engine."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from stravasync.cli.athletes import SyncMode as Mode  # the engine's modes, without the engine
from stravasync.cli.common import (
    console,
    err_console,
    fail,
    friendly_errors,
    open_database,
    relative,
    service_clock,
    settings,
    short_time,
    unknown_athlete,
)

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]

# Without --deadline, work falling due this soon after the start is waited for: the budget's
# guard defers a pass by about 2 s around each quarter-hour reset, and a killed run's lease
# (STRAVASYNC_SYNC_LEASE_SECONDS) runs out within it.
IDLE_WAIT_SECONDS = 60.0
# --once waits this long for work deferred by the budget's guard around a quarter-hour reset
ONCE_WAIT_SECONDS = 5.0


@friendly_errors
def sync(
    athlete: int | None = typer.Option(None, "--athlete", help="Only this athlete."),
    mode: Mode | None = typer.Option(None, "--mode", help="Run this mode now (else: what is due)."),
    until_idle: bool = typer.Option(
        True,
        "--until-idle/--once",
        help="Keep going until nothing is due before the deadline (--deadline, else 60 s"
        " after the start; default).",
    ),
    max_calls: int | None = typer.Option(None, "--max-calls", min=1, help="Stop after N calls."),
    deadline: float | None = typer.Option(
        None, "--deadline", min=1, help="Stop cleanly after SECONDS; the next run resumes."
    ),
    since_days: float | None = typer.Option(
        None, "--since-days", min=0, help="enrich: activities started in the last N days."
    ),
    all_: bool = typer.Option(False, "--all", help="enrich: the whole history."),
    activity_ids: list[int] = typer.Option(
        [], "--activity-id", help="enrich: fetch these activities' details now (repeatable)."
    ),
    since: datetime | None = typer.Option(
        None, "--since", formats=DATE_FORMATS, help="enrich: activities started from DATE (UTC)."
    ),
    until: datetime | None = typer.Option(
        None, "--until", formats=DATE_FORMATS, help="enrich: activities started before DATE."
    ),
    force: bool = typer.Option(
        False, "--force", help="enrich: fetch every detail in scope, even current ones."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run report as JSON."),
) -> None:
    """Sync now: webhook events, due athletes, jobs; stops when idle or at a limit."""
    from stravasync.cli.progress import live
    from stravasync.store.pending import syncstate
    from stravasync.store.people.athletes import get_athlete, overview
    from stravasync.sync import build_engine
    from stravasync.sync.enrich import BadEnrichRequest, request_options

    enrich_asked = since_days is not None or all_ or activity_ids or since or until or force
    if enrich_asked and mode is not Mode.ENRICH:
        raise fail(
            "--since-days, --all, --activity-id, --since, --until, --force need --mode enrich"
        )
    options: dict[str, Any] = {}
    if mode is Mode.ENRICH:
        try:
            options = request_options(
                since_days=since_days,
                all_=all_,
                activity_ids=list(activity_ids),
                since=since,
                until=until,
                force=force,
            )
        except BadEnrichRequest as exc:
            raise fail(f"enrich --{exc.option.replace('_', '-')}: {exc.problem}") from exc
    cfg = settings()
    db = open_database(cfg)
    if athlete is not None:  # else nothing runs and the empty report exits 0
        with db.engine.connect() as conn:
            if get_athlete(conn, athlete) is None:
                raise unknown_athlete(athlete)
    clock = service_clock(cfg)
    from stravasync.work import skew

    skewed = skew.measure(db.engine, clock, cfg.clock_skew_tolerance)
    if skewed is not None and skewed.reason is not None:  # leases need one clock
        raise fail(skewed.reason)
    engine = build_engine(cfg, db, clock, trigger="cli")
    if mode is not None:
        with db.transaction() as conn:
            targets = (
                [athlete]
                if athlete is not None
                else [row.athlete_id for row in overview(conn) if row.status == "active"]
            )
            for athlete_id in targets:
                if not syncstate.request_mode(
                    conn, athlete_id, str(mode), clock.now(), options=options or None
                ):
                    raise fail(f"athlete {athlete_id} is not connected")
    with live(as_json) as show:
        if show is not None:
            engine.watch_progress(show)
        report = engine.run_until_idle(
            deadline=deadline,
            max_calls=max_calls,
            athlete_id=athlete,
            max_units=None if until_idle else 1,
            wait=(deadline or IDLE_WAIT_SECONDS) if until_idle else ONCE_WAIT_SECONDS,
        )
    data = report.as_json()
    if as_json:
        typer.echo(json.dumps(data))
    else:
        _print_report(data, clock.now())
        if mode is None and _idle(data):
            console.print(_nothing_due(athlete, clock.now(), report.next_due_at), highlight=False)
    if report.failed:  # cron must see it: exit 1, the same in both output modes
        for line in report.errors:
            err_console.print(f"[bold red]sync failed:[/] {escape(line)}", soft_wrap=True)
        raise typer.Exit(1)
    from stravasync.store.operator import appstate as appstate_q

    with db.engine.connect() as conn:
        suspended = appstate_q.get(conn)
    if suspended is not None:  # nothing reaches Strava until a probe succeeds: not a success
        raise fail(
            f"Strava application suspended since {short_time(suspended.since)}: "
            f"{suspended.reason}; nothing syncs until a probe succeeds (stravasync app-state)",
            code=1,
        )


def _idle(data: dict[str, Any]) -> bool:
    """Nothing happened at all: no unit, event, job or request."""
    keys = ("synced", "skipped", "deferred", "failed", "cancelled", "events", "jobs", "api_calls")
    return not any(data[k] for k in keys)


def _nothing_due(athlete: int | None, now: datetime, next_due: datetime | None) -> str:
    """The line that says why nothing ran and how to force a pass."""
    who = f" for athlete {athlete}" if athlete is not None else ""
    when = f" (next work due {relative(next_due, now)})" if next_due is not None else ""
    force = f"--athlete {athlete} " if athlete is not None else ""
    return (
        f"nothing was due{who}{when}; to sync now anyway: stravasync sync {force}--mode incremental"
    )


def _print_report(data: dict[str, Any], now: datetime) -> None:
    table = Table(title="sync run")
    for key in (
        "synced",
        "skipped",
        "deferred",
        "failed",
        "cancelled",
        "events",
        "jobs",
        "api_calls",
    ):
        table.add_column(key)
    table.add_row(
        *(
            str(data[k])
            for k in (
                "synced",
                "skipped",
                "deferred",
                "failed",
                "cancelled",
                "events",
                "jobs",
                "api_calls",
            )
        )
    )
    console.print(table)
    if data["next_due_at"]:
        due = datetime.fromisoformat(data["next_due_at"])
        console.print(f"next work due: {short_time(due)} UTC ({relative(due, now)})")
    if data["session_id"]:
        console.print(f"last session: {data['session_id']} (stravasync logs --session ID)")
