"""``stravasync scheduler ...``: the periodic jobs and the jobs on a clock (issue 15)."""

from __future__ import annotations

import json
from typing import Any

import typer

from stravasync.cli.common import (
    console,
    fail,
    friendly_errors,
    list_table,
    open_database,
    relative,
    service_clock,
    settings,
)

app = typer.Typer(help="Periodic jobs: list them, run one now.", no_args_is_help=True)

FIELDS = ("name", "schedule", "interval_s", "next_run_at", "last_run_at", "last_status")


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    keep = (*FIELDS, "last_outcome", "paused")
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if k in keep
    }


@app.command("list")
@friendly_errors
def list_jobs(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Every job with its schedule, next run, last run and outcome (times in UTC)."""
    from stravasync.store.operator import admin as admin_q

    cfg = settings()
    db = open_database(cfg)
    with db.engine.connect() as conn:
        raw = admin_q.scheduler_jobs_list(conn)
    rows = [_plain(r) for r in raw]
    now = service_clock(cfg).now()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = list_table(f"scheduler (schedules in {cfg.schedule_tz})")
    for col in ("job", "when", "next run", "last run", "status"):
        table.add_column(col, no_wrap=True)
    table.add_column("last outcome", overflow="fold", ratio=1)
    for r in raw:
        table.add_row(
            r["name"],
            r["schedule"] or f"every {_span(int(r['interval_s']))}",
            relative(r["next_run_at"], now) if r["next_run_at"] else "-",
            relative(r["last_run_at"], now) if r["last_run_at"] else "never",
            r["last_status"] or "-",
            str(r.get("last_outcome") or "-")[:160],
        )
    console.print(table)


def _span(seconds: int) -> str:
    """``every 1h`` / ``every 30m`` / ``every 2d``: an interval in one short word."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@app.command("run")
@friendly_errors
def run(
    job: str = typer.Argument(..., help="warehouse_refresh, daily_flow, stale_report, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Run one job now, in this process, and print its outcome (exit 1 if it failed)."""
    from pydantic import SecretStr

    from stravasync.sync import build_engine
    from stravasync.sync.jobs.periodic import JOBS, run_now
    from stravasync.sync.settings import engine_config

    if len(job) > 64:
        raise fail("a job name has at most 64 characters")
    cfg = settings()
    if job not in {*JOBS, *engine_config(cfg, webhooks=False).schedules}:
        raise fail(f"no enabled job named {job!r} (stravasync scheduler list)")
    if job != "daily_flow" and not cfg.client_id:
        # only the flow talks to Strava; the engine still wants an application to build with
        cfg = cfg.model_copy(update={"client_id": "none", "client_secret": SecretStr("none")})
    db = open_database(cfg)
    engine = build_engine(cfg, db, service_clock(cfg), trigger="cli")
    row = run_now(engine, job)
    if row is None:
        raise fail(f"no enabled job named {job!r} (stravasync scheduler list)")
    if row.get("lease_owner") not in (None, engine.owner):
        raise fail(f"{job} is running in another process", code=1)
    if as_json:
        typer.echo(json.dumps(_plain(row)))
    else:
        console.print(f"{job}: {row['last_status']}: {row['last_outcome']}", highlight=False)
    if row["last_status"] != "ok":
        raise typer.Exit(1)
