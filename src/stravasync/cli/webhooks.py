"""``stravasync webhooks subscribe|list|unsubscribe``: Strava's push subscription."""

from __future__ import annotations

import json

import typer

from stravasync.cli.common import (
    console,
    fail,
    friendly_errors,
    open_database,
    service_clock,
    settings,
)

app = typer.Typer(help="Manage the Strava webhook subscription.", no_args_is_help=True)


@app.command("subscribe")
@friendly_errors
def subscribe(
    callback_url: str = typer.Option(..., "--callback-url", help="Public URL of /webhooks/strava"),
    no_check: bool = typer.Option(False, "--no-check", help="Skip our own validation GET first."),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Replace the existing subscription (Strava allows one); it is deleted only once "
        "the new callback answered the challenge.",
    ),
) -> None:
    """Create the subscription (the service must be running at the callback URL)."""
    from stravasync.strava.setup import strava_client
    from stravasync.web import intake

    cfg = settings()
    if cfg.webhook_verify_token is None:
        raise fail("STRAVASYNC_WEBHOOK_VERIFY_TOKEN: required (any long random string)")
    db = open_database(cfg)
    clock = service_clock(cfg)
    sub_id = intake.subscribe(
        db,
        strava_client(cfg, db, clock),
        callback_url=callback_url,
        verify_token=cfg.webhook_verify_token.get_secret_value(),
        now=clock.now(),
        precheck=not no_check,
        replace=replace,
    )
    console.print(f"subscribed: id {sub_id}, events go to {callback_url}")


@app.command("list")
@friendly_errors
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the application's subscriptions (Strava allows one)."""
    from stravasync.strava.setup import strava_client
    from stravasync.web import intake

    cfg = settings()
    db = open_database(cfg)
    subs = intake.list_subscriptions(db, strava_client(cfg, db, service_clock(cfg)))
    if as_json:
        typer.echo(json.dumps([s.as_json() for s in subs], indent=2))
        return
    if not subs:
        console.print("no subscription")
    for s in subs:
        mark = " (this service)" if s.stored else " (not stored here: its events are ignored)"
        console.print(f"{s.id}  {s.callback_url}  created {s.created_at}{mark}")


@app.command("unsubscribe")
@friendly_errors
def unsubscribe(
    sub_id: int | None = typer.Option(None, "--id", help="Subscription id (default: stored one)"),
) -> None:
    """Delete the subscription; the engine goes back to polling."""
    from stravasync.strava.setup import strava_client
    from stravasync.web import intake

    cfg = settings()
    db = open_database(cfg)
    gone = intake.unsubscribe(db, strava_client(cfg, db, service_clock(cfg)), sub_id)
    console.print(f"unsubscribed: id {gone}")
