"""``stravasync demo``: the whole product in one minute, against a simulated Strava."""

from __future__ import annotations

import secrets
import shlex
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.live import Live
from rich.table import Table

from stravasync.cli.common import console, friendly_errors, self_command

if TYPE_CHECKING:
    from stravasync.demo import DemoProgress


def _panel(p: DemoProgress) -> Table:
    table = Table(title=f"stravasync demo: simulated time {p.virtual_now:%a %d %b %H:%M} UTC")
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("athletes connected", str(p.athletes))
    table.add_row("with their newest page", f"{p.newest_page}/{p.athletes}")
    table.add_row("history complete", f"{p.backfilled}/{p.athletes}")
    table.add_row("activities mirrored", str(p.activities))
    table.add_row("Strava API calls (429s)", f"{p.api_calls} ({p.http_429})")
    table.add_row("webhook events received", str(p.webhook_events))
    for name, used, limit in p.quota:
        table.add_row(f"quota {name}", f"{used}/{limit}")
    return table


@friendly_errors
def demo(
    athletes: int = typer.Option(20, min=1, max=500, help="Simulated athletes to connect."),
    history_days: int = typer.Option(365, min=1, help="Days of history each athlete has."),
    days: float = typer.Option(1.0, min=0, help="Simulated days to live after the backfill."),
    seed: int = typer.Option(7, help="World seed."),
    work_dir: Path = typer.Option(Path("data/demo"), help="Where the demo database goes."),
) -> None:
    """Start a simulated Strava, connect its athletes and mirror them, with live progress."""
    from stravasync.demo import run_demo

    console.print(
        f"Simulating Strava with {athletes} athletes ({history_days} days of history each), "
        "default quota (100 reads / 15 min), webhooks on, all in virtual time."
    )
    with Live(console=console, refresh_per_second=8) as live:
        result = run_demo(
            work_dir=work_dir,
            athletes=athletes,
            history_days=history_days,
            days=days,
            seed=seed,
            on_progress=lambda p: live.update(_panel(p)),
        )
        live.update(_panel(result.progress))
    summary = Table(title="mirror vs the simulator's truth")
    for col in ("athlete", "on Strava", "mirrored", "missing", "extra", "stale"):
        summary.add_column(col, justify="right")
    for diff in result.diffs:
        truth = result.truth_counts.get(diff.athlete_id, 0)
        summary.add_row(
            str(diff.athlete_id),
            str(truth),
            str(truth - len(diff.missing) + len(diff.zombies)),
            str(len(diff.missing)),
            str(len(diff.zombies)),
            str(len(diff.stale)),
        )
    console.print(summary)
    fields = Counter(f for d in result.diffs for names in d.stale.values() for f in names)
    if fields:
        console.print("stale fields: " + ", ".join(f"{k} x{v}" for k, v in fields.most_common()))
    console.print(
        "Stale fields are edits Strava announces to nobody (kudos, description, gear...): the "
        "refresh pass re-lists recent weeks on its cadence and picks them up."
    )
    exact = sum(1 for d in result.diffs if d.exact)
    console.print(
        f"{exact}/{len(result.diffs)} athletes mirrored exactly; "
        f"{result.progress.api_calls} API calls, {result.progress.http_429} rate-limit errors; "
        f"{result.wall_seconds:.1f} s of wall time. Database: {work_dir / 'demo.db'}, its "
        f"token key beside it: {result.key_file}."
    )
    env = (
        f"STRAVASYNC_DATABASE_URL={shlex.quote(result.database_url)} "
        f"STRAVASYNC_KEY_FILE={shlex.quote(str(result.key_file))}"
    )
    # one line each, never wrapped, so it can be copied into a shell as it is
    console.print("Look at it:", highlight=False)
    console.print(f"  {env} {self_command()} status", highlight=False, soft_wrap=True)
    console.print("Browse it (the dashboard at http://127.0.0.1:8721/admin):", highlight=False)
    console.print(
        f"  {env} STRAVASYNC_ADMIN_TOKEN={secrets.token_urlsafe(12)} {self_command()} web",
        highlight=False,
        soft_wrap=True,
    )
