"""``stravasync scheduler ...``: the periodic jobs and the jobs on a clock (issue 15)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from stravasync.cli.common import console, fail, friendly_errors, open_database, settings

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
    from stravasync.store import admin as admin_q

    cfg = settings()
    db = open_database(cfg)
    with db.engine.connect() as conn:
        rows = [_plain(r) for r in admin_q.scheduler_jobs_list(conn)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"scheduler (schedules in {cfg.schedule_tz})")
    for col in (*FIELDS, "last_outcome"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            *(str(r.get(c) if r.get(c) is not None else "-") for c in FIELDS),
            str(r.get("last_outcome") or "-")[:80],
        )
    console.print(table)


@app.command("run")
@friendly_errors
def run(
    job: str = typer.Argument(..., help="warehouse_refresh, daily_flow, stale_report, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Run one job now, in this process, and print its outcome (exit 1 if it failed)."""
    from pydantic import SecretStr

    from stravasync.clock import RealClock
    from stravasync.sync import build_engine
    from stravasync.sync.periodic import JOBS, run_now
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
    engine = build_engine(cfg, db, RealClock(), trigger="cli")
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
