"""What every command shares: settings, logging, the database, and one-line errors."""

from __future__ import annotations

import functools
import logging
import shlex
import shutil
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stravasync.clock import Clock, RealClock, ScaledClock, as_utc, utcnow
from stravasync.errors import StravaSyncError

if TYPE_CHECKING:  # imported when a command runs: --version and --help stay light
    from stravasync.config import Settings
    from stravasync.store import Database

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)
log = logging.getLogger("stravasync.cli")


def settings() -> Settings:
    """Load settings and configure logging (raises ConfigError, turned into one line)."""
    from stravasync.config import load_settings
    from stravasync.logsetup import configure_logging

    cfg = load_settings()
    configure_logging(cfg.log_format, cfg.log_level)
    return cfg


def service_clock(cfg: Settings) -> Clock:
    """The wall clock, or (demos and tests: ``STRAVASYNC_CLOCK_*``) a scaled or shifted one."""
    if cfg.clock_speed is None:
        return RealClock()
    origin = as_utc(cfg.clock_origin) if cfg.clock_origin else utcnow()
    wall = cfg.clock_wall_origin if cfg.clock_wall_origin is not None else time.time()
    logging.getLogger(__name__).warning(
        "scaled clock: %sx from %s", cfg.clock_speed, origin.isoformat()
    )
    return ScaledClock(origin, wall, cfg.clock_speed)


def self_command() -> str:
    """How a shell runs this same stravasync again: ``stravasync`` when that is on PATH, else
    the path it was started by (``.venv-demo/bin/stravasync`` after ``make demo``), else
    ``python -m stravasync`` with this interpreter."""
    argv0 = sys.argv[0]
    if Path(argv0).name == "stravasync":
        found = shutil.which("stravasync")
        if found and Path(found).resolve() == Path(argv0).resolve():
            return "stravasync"
        return shlex.quote(argv0)
    return f"{shlex.quote(sys.executable)} -m stravasync"


def list_table(title: str) -> Table:
    """A table for listings that must read at 80 columns: no vertical rules or edges (each
    column costs two spaces, not three characters), headings underlined."""
    return Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)


def short_time(when: datetime) -> str:
    """A UTC time for a terminal: ``2026-03-01 12:00:05`` (no microseconds, no offset)."""
    return f"{as_utc(when):%Y-%m-%d %H:%M:%S}"


def relative(when: datetime, now: datetime) -> str:
    """``in 3h 20m`` / ``5m ago`` / ``now``: how far ``when`` is from ``now``."""
    seconds = int((as_utc(when) - as_utc(now)).total_seconds())
    span = abs(seconds)
    if span < 60:
        return "now"
    days, rest = divmod(span, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:  # the second unit only while it says something (at most 10 characters)
        text = f"{days}d {hours}h" if hours and days < 10 else f"{days}d"
    elif hours:
        text = f"{hours}h {minutes}m" if minutes and hours < 10 else f"{hours}h"
    else:
        text = f"{minutes}m"
    return f"in {text}" if seconds > 0 else f"{text} ago"


def open_database(cfg: Settings, *, upgrade: bool = True) -> Database:
    """Open the configured database, migrating it to head unless told not to."""
    from stravasync.store import Database

    return Database.open(cfg.database_url, echo=cfg.database_echo, upgrade=upgrade)


def missing_sqlite_file(database_url: str) -> Path | None:
    """The SQLite file the URL names when it does not exist yet (else None): read-only
    commands report it instead of creating an empty database."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if str(url.database).startswith("file:"):
        return None
    path = Path(str(url.database))
    return None if path.exists() else path


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def unknown_athlete(athlete_id: int) -> typer.Exit:
    """An athlete id the mirror does not hold: exit 2, so an empty answer never looks real."""
    return fail(f"athlete {athlete_id} is not in the mirror (stravasync status lists them)")


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn any deliberate stravasync error into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except StravaSyncError as exc:
            raise fail(str(exc)) from None

    return wrapper
