"""``stravasync logs``: sync sessions and their log lines."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape

from stravasync.cli.common import (
    console,
    fail,
    friendly_errors,
    list_table,
    open_database,
    relative,
    service_clock,
    settings,
    unknown_athlete,
)


@friendly_errors
def logs(
    session: str | None = typer.Option(None, "--session", help="Show this session's lines."),
    athlete: int | None = typer.Option(None, "--athlete", help="Only this athlete's sessions."),
    limit: int = typer.Option(30, "--limit", min=1, help="How many sessions to list."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """List recent sync sessions, or the log lines of one (--session ID); an unknown session
    or athlete exits 2 (an empty answer would look real to cron)."""
    from stravasync.store.pending import sessions as sessions_q
    from stravasync.store.people import athletes as athlete_q

    cfg = settings()
    db = open_database(cfg)
    with db.engine.connect() as conn:
        if session:
            lines = sessions_q.session_logs(conn, session)
            if not lines and not sessions_q.session_exists(conn, session):
                raise fail(f"no session {session} (stravasync logs lists the recent ones)")
            if as_json:
                typer.echo(json.dumps(lines, default=str, indent=2))
                return
            if not lines:
                console.print(f"no log lines for session {session}")
            for line in lines:
                meta = f" {json.dumps(line['metadata_json'])}" if line["metadata_json"] else ""
                console.print(
                    f"{line['created_at']:%Y-%m-%d %H:%M:%S} {line['level']:<7} "
                    f"{line['message']}{meta}",
                    highlight=False,
                )
            return
        rows = sessions_q.recent_sessions(conn, limit=limit, athlete_id=athlete)
        if not rows and athlete is not None and athlete_q.get_athlete(conn, athlete) is None:
            raise unknown_athlete(athlete)
    if as_json:
        typer.echo(json.dumps(rows, default=str, indent=2))
        return
    now = service_clock(cfg).now()
    table = list_table("sync sessions")
    # the id (for --session) and the short words never wrap; the mode and when it started are
    # the second line of the session cell; the summary's counts wrap in what is left
    table.add_column("session", no_wrap=True)
    table.add_column("athlete", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("calls", no_wrap=True, justify="right")
    table.add_column("summary", ratio=1)
    for r in rows:
        table.add_row(
            f"{escape(r['id'])}\n[dim]{escape(r['mode'])}, {relative(r['started_at'], now)}[/]",
            str(r["athlete_id"] or "-"),
            r["status"],
            str(r["api_calls"]),
            _summary(r["summary_json"] or {}),
        )
    console.print(table)


def _summary(summary: dict[str, Any]) -> str:
    """The counts of a session's summary (its error and stage timings: --session ID, --json)."""
    words = [
        f"{k}={v}"
        for k, v in summary.items()
        if k not in ("mode", "error") and isinstance(v, int | str) and v not in (0, "")
    ]
    if summary.get("error"):
        words.append("error (--session ID)")
    return escape(", ".join(words))
