"""Operator controls on the command line (the admin API's equivalents).

``stravasync athletes set ID --auto-sync off --hidden on``, ``stravasync athletes sync-all``,
``stravasync reset-stuck`` and ``stravasync app-state [--probe-now]``. Each writes intent into
the database; a running service (or the next ``stravasync sync``) does the work.
"""

from __future__ import annotations

import json
from enum import StrEnum

import typer

from stravasync.cli.common import (
    console,
    fail,
    friendly_errors,
    open_database,
    service_clock,
    settings,
    unknown_athlete,
)

app = typer.Typer(help="Operator switches over athletes.", no_args_is_help=True)


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


class SyncMode(StrEnum):
    BACKFILL = "backfill"
    INCREMENTAL = "incremental"
    REFRESH = "refresh"
    ENRICH = "enrich"
    RECONCILE = "reconcile"


def _flag(value: Switch | None) -> bool | None:
    return None if value is None else value is Switch.ON


@app.command("set")
@friendly_errors
def set_flags(
    athlete_id: int = typer.Argument(..., min=1, help="The Strava athlete id."),
    auto_sync: Switch | None = typer.Option(
        None, "--auto-sync", help="off: no automatic sync (requests only)."
    ),
    hidden: Switch | None = typer.Option(
        None, "--hidden", help="on: left out of the data API and exports unless asked for."
    ),
) -> None:
    """Set an athlete's switches (only those given change)."""
    from stravasync.store.people import athletes as athlete_q

    if auto_sync is None and hidden is None:
        raise fail("give --auto-sync on|off and/or --hidden on|off")
    cfg = settings()
    db = open_database(cfg)
    with db.transaction() as conn:
        found = athlete_q.set_flags(
            conn,
            athlete_id,
            now=service_clock(cfg).now(),
            auto_sync=_flag(auto_sync),
            hidden=_flag(hidden),
        )
        row = athlete_q.get_athlete(conn, athlete_id)
    if not found or row is None:
        raise unknown_athlete(athlete_id)
    console.print(
        f"athlete {athlete_id}: auto-sync {'on' if row['auto_sync'] else 'off'}, "
        f"hidden {'on' if row['hidden'] else 'off'}",
        highlight=False,
    )


@app.command("sync-all")
@friendly_errors
def sync_all(
    mode: SyncMode = typer.Option(SyncMode.INCREMENTAL, "--mode", help="The mode asked for."),
    include_opted_out: bool = typer.Option(
        False, "--include-opted-out", help="Also athletes with auto-sync off."
    ),
) -> None:
    """Sync every active athlete now (dead letters among them cleared)."""
    from stravasync.store.operator import controls

    cfg = settings()
    db = open_database(cfg)
    with db.transaction() as conn:
        n = controls.sync_everyone(
            conn, mode=str(mode), now=service_clock(cfg).now(), include_opted_out=include_opted_out
        )
    console.print(
        f"{n} athlete(s) due now ({mode}); a running service picks them up, or run "
        "`stravasync sync --until-idle`",
        highlight=False,
    )


@friendly_errors
def reset_stuck(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Release expired leases, re-queue every dead letter, and undo due times and rate windows
    a process whose clock ran ahead wrote in the future."""
    from stravasync.store.operator import controls
    from stravasync.strava.setup import repair_skewed_times
    from stravasync.work import skew

    cfg = settings()
    db = open_database(cfg)
    with db.engine.connect() as conn:  # the deployment's clock, not this machine's
        now = skew.database_now(conn) or service_clock(cfg).now()
    with db.transaction() as conn:
        released = controls.release_expired_leases(conn, now)
        requeued = controls.requeue_all_dead(conn, now)
    repaired = repair_skewed_times(cfg, db, now)
    if as_json:
        typer.echo(json.dumps({"released": released, "requeued": requeued, "repaired": repaired}))
        return
    console.print(
        f"released {sum(released.values())} expired lease(s), re-queued "
        f"{sum(requeued.values())} dead letter(s), repaired {len(repaired['athletes'])} "
        f"athlete(s) and {len(repaired['rate_windows'])} rate window(s) a clock ahead of "
        "the database's wrote",
        highlight=False,
    )


@friendly_errors
def app_state(
    probe_now: bool = typer.Option(
        False, "--probe-now", help="Make the next request to Strava the probe."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Show the app-level Strava state (application inactive, invalid client) and capacity."""
    from stravasync.store.operator import appstate as appstate_q
    from stravasync.store.people import athletes as athlete_q

    cfg = settings()
    db = open_database(cfg)
    with db.transaction() as conn:
        if probe_now:
            appstate_q.probe_now(conn, service_clock(cfg).now())
        state = appstate_q.get(conn)
        connected = athlete_q.connected_count(conn)
    if as_json:
        body = {
            "app_state": state.as_json() if state else None,
            "connected": connected,
            "capacity": cfg.athlete_capacity,
        }
        typer.echo(json.dumps(body))
        return
    capacity = f" / {cfg.athlete_capacity} capacity" if cfg.athlete_capacity else ""
    console.print(f"{connected} athlete(s) connected{capacity}", highlight=False)
    if state is None:
        console.print("Strava accepts the application", highlight=False)
        return
    console.print(
        f"SUSPENDED ({state.condition}) since {state.since.isoformat(timespec='seconds')}: "
        f"{state.reason}; {state.probes} probe(s), next at "
        f"{state.next_probe_at.isoformat(timespec='seconds')}",
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="athletes")
    root.command("reset-stuck")(reset_stuck)
    root.command("app-state")(app_state)
