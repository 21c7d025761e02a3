"""`status`, `logs`, `scheduler list` and every help page read at 80 columns (issue 23, trip 4).

Real subprocesses with COLUMNS=80 on a database written here: nothing is cut with an ellipsis,
no line is wider than the terminal, ids and session ids stay whole (they are what the next
command needs), times are short and relative (no ISO stamps with microseconds), and help pages
keep every option name and choice list whole.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from stravasync.store import Database
from stravasync.store.pending import sessions as session_q
from stravasync.store.people import athletes as athlete_q
from stravasync.store.schema import sync_state
from stravasync.sync.jobs.periodic import ensure_jobs

# a clock origin far from today: the relative times must come from the configured clock
NOW = datetime(2031, 5, 4, 10, 0, 0, 654321, tzinfo=UTC)
ISO_MICROS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    base.update(
        COLUMNS="80",
        STRAVASYNC_CLOCK_SPEED="1",
        STRAVASYNC_CLOCK_ORIGIN=NOW.isoformat(),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "stravasync", *args],
        cwd=cwd, env=base, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def readable(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 0, out.stderr
    assert "…" not in out.stdout, out.stdout
    assert max(len(line) for line in out.stdout.splitlines()) <= 80, out.stdout
    assert not ISO_MICROS.search(out.stdout), out.stdout
    return out.stdout


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_listings_read_at_80_columns(db_url: str, tmp_path: Path) -> None:
    db = Database.open(db_url, upgrade=False)
    sessions = []
    with db.transaction() as conn:
        for i, athlete_id in enumerate((123456789, 98765432)):
            athlete_q.upsert_athlete(
                conn,
                athlete_id=athlete_id,
                profile={"firstname": "Maximilian Alexander", "lastname": f"Longname {i}"},
                scopes="read,activity:read_all",
                now=NOW - timedelta(days=3),
            )
            conn.execute(
                update(sync_state)
                .where(sync_state.c.athlete_id == athlete_id)
                .values(last_success_at=NOW - timedelta(hours=2, minutes=5))
            )
            for mode in ("backfill", "incremental", "reconcile"):
                sid = session_q.start_session(
                    conn, athlete_id=athlete_id, mode=mode, trigger="cli", now=NOW
                )
                session_q.finish_session(
                    conn, sid, status="synced", now=NOW, api_calls=12,
                    summary={"mode": mode, "pages": 3, "listed": 600, "created": 587,
                             "stage_seconds": {"listing": 1.5}, "complete": True},
                )  # fmt: skip
                sessions.append(sid)
        ensure_jobs(conn, NOW - timedelta(minutes=30))
    db.close()
    env = {"STRAVASYNC_DATABASE_URL": db_url}

    status = readable(run(["status"], tmp_path, **env))
    words = status.split()
    assert {"123456789", "98765432", "2h", "5m", "ago", "activities", "due"} <= set(words)
    assert {"Maximilian", "Alexander", "Longname"} <= set(words)  # wrapped, not cut

    logs = readable(run(["logs"], tmp_path, **env))
    for sid in sessions:
        assert sid in logs.split()  # whole: `stravasync logs --session ID` takes it
    assert "listed=600" in logs and "incremental, now" in logs

    jobs = readable(run(["scheduler", "list"], tmp_path, **env))
    for name in ("prune_logs", "purge_check"):
        assert name in jobs.split()
    assert "every 1d" in jobs and "every 1h" in jobs and "in 29m" in jobs and "never" in jobs


def every_command() -> list[list[str]]:
    """The path of every command and group, the root included."""
    from typer.main import get_command

    from stravasync.cli import app

    found: list[list[str]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        found.append(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*path, name])

    walk(get_command(app), [])
    return found


HELP_ALL = """
import sys
from stravasync.cli import app
for args in sys.argv[1:]:
    print("=== " + args)
    try:
        app([*args.split(), "--help"], prog_name="stravasync")
    except SystemExit:
        pass
"""


def test_help_keeps_option_names_and_words_whole(tmp_path: Path) -> None:
    from typer.main import get_command

    from stravasync.cli import app

    commands = every_command()
    assert len(commands) > 30
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    out = subprocess.run(
        [sys.executable, "-c", HELP_ALL, *(" ".join(c) for c in commands)],
        cwd=tmp_path, env=base | {"COLUMNS": "80"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    pages = readable(out).split("=== ")[1:]
    assert len(pages) == len(commands)
    for command, page in zip(commands, pages, strict=True):
        text = page.split("\n", 1)[1]
        cmd = get_command(app)
        for name in command:
            cmd = cmd.commands[name]  # type: ignore[attr-defined]
        for param in cmd.params:
            if getattr(param, "hidden", False):  # kept for old scripts, not on the page
                continue
            for opt in [*param.opts, *param.secondary_opts]:
                if opt.startswith("--"):
                    pattern = rf"(^|[\s,/\[]){re.escape(opt)}([\s,=/\]]|$)"
                    assert re.search(pattern, text, re.M), (opt, text)
        for line in text.splitlines():  # a metavar (<jsonl|csv|parquet|duckdb>) stays whole
            assert not re.search(r"<(?!=)[^<>]*$", line), text
