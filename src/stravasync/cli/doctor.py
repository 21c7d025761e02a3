"""``stravasync doctor``: what is wrong with this setup against the real Strava (<= 5 requests).

Run it yourself with your own credentials (it is never run in CI); see
:mod:`stravasync.strava.doctor` for the checks. Exit code 0 when nothing is wrong, 1 otherwise.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from stravasync.cli.common import console, fail, friendly_errors, open_database, settings
from stravasync.clock import RealClock

if TYPE_CHECKING:
    from stravasync.config import Settings
    from stravasync.store import Database
    from stravasync.strava import doctor as dr
    from stravasync.strava.client import StravaClient


@friendly_errors
def doctor(
    athlete: int | None = typer.Option(
        None,
        "--athlete",
        help="Athlete whose token to check (default: the most recently connected one).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check the credentials, a token's scopes, the rate limits and the webhook on Strava."""
    from stravasync.strava import doctor as dr
    from stravasync.strava.client import StravaClient
    from stravasync.strava.setup import limits_from_settings, origin_plan, shared_budget

    cfg = settings()
    if not cfg.client_id or cfg.client_secret is None:
        raise fail("STRAVASYNC_CLIENT_ID and STRAVASYNC_CLIENT_SECRET: required")
    db = open_database(cfg)
    clock = RealClock()
    meter = dr.Meter()
    client = StravaClient(
        origins=origin_plan(cfg),
        client_id=cfg.client_id,
        client_secret=cfg.client_secret.get_secret_value(),
        budget=shared_budget(cfg, db),
        clock=clock,
        http=meter.client(),
        timeout=cfg.http_timeout,
        max_retries=0,  # a retry would spend requests the doctor promised not to
    )
    report = dr.Report()
    callback = cfg.public_url.rstrip("/") + "/webhooks/strava"
    try:
        if dr.check_credentials(report, client.list_push_subscriptions, callback):
            _check_athlete(report, cfg, db, client, clock, athlete)
    except dr.RequestCapReached as exc:
        report.add("doctor", False, str(exc))
    if meter.headers:
        report.findings += dr.rate_findings(meter.headers, limits_from_settings(cfg))
    _platform_findings(report, cfg, db, client, clock)
    report.requests = meter.answered  # a request that never reached Strava spent nothing
    _print(report, as_json)
    raise typer.Exit(0 if report.ok else 1)


def _check_athlete(
    report: dr.Report,
    cfg: Settings,
    db: Database,
    client: StravaClient,
    clock: RealClock,
    athlete: int | None,
) -> None:
    from sqlalchemy import select

    from stravasync.store.schema import tokens
    from stravasync.strava import doctor as dr
    from stravasync.strava.setup import token_manager

    with db.engine.connect() as conn:
        rows = list(
            conn.execute(
                select(tokens.c.athlete_id, tokens.c.scope).order_by(
                    tokens.c.updated_at.desc(), tokens.c.athlete_id
                )
            )
        )
    scopes = {int(r.athlete_id): str(r.scope) for r in rows}
    if not scopes:
        report.add("token", False, "no athlete is connected: connect one with `stravasync auth`")
        return
    # one token tells whether the application's tokens work; the newest connection is the
    # likeliest to show a scope granted differently (the request cap forbids checking all)
    athlete_id = athlete if athlete is not None else next(iter(scopes))
    if athlete is None and len(scopes) > 1:
        report.add(
            "token",
            True,
            f"{len(scopes)} athletes are connected: checking {athlete_id}, the most recently "
            "connected (--athlete ID checks another)",
        )
    if athlete_id not in scopes:
        report.add("token", False, f"no token is stored for athlete {athlete_id}")
        return
    manager = token_manager(cfg, db, client, clock)
    dr.check_token(
        report,
        lambda: manager.access_token(athlete_id, priority=dr.PRIORITY),
        lambda token: client.get_athlete(token, priority=dr.PRIORITY),
        lambda token: client.list_activities(token, per_page=1, priority=dr.PRIORITY),
        scopes[athlete_id],
    )


def _platform_findings(
    report: dr.Report, cfg: Settings, db: Database, client: StravaClient, clock: RealClock
) -> None:
    """Which API origin answered; the athletes against the capacity or the Standard tier."""
    from stravasync.store.people import athletes as athlete_q
    from stravasync.strava import doctor as dr

    answered = client.transport.answered_at
    report.findings += dr.origin_findings(client.origins, answered, clock.now().date())
    with db.engine.connect() as conn:
        connected = athlete_q.connected_count(conn)
    report.findings += dr.athlete_findings(connected, cfg.athlete_capacity)


def _print(report: dr.Report, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
        return
    for f in report.findings:
        mark = "[green]ok[/]  " if f.ok else "[bold red]bad[/] "
        console.print(f"{mark} {f.check}: {escape(f.message)}", highlight=False, soft_wrap=True)
    verdict = "nothing is wrong" if report.ok else "something is wrong (see 'bad' above)"
    spent = (
        f"{report.requests} request(s) spent on Strava"
        if report.requests
        else "no request reached Strava, nothing was spent"
    )
    console.print(f"{verdict}; {spent}", highlight=False, soft_wrap=True)
