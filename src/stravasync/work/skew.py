"""One clock for leases and budget windows: a process's offset from the database's clock.

Leases, due times and rate windows are written with the writing process's ``now`` and compared
with another process's: a process whose clock runs an hour ahead sees every lease as expired and
writes windows and due times an hour in the future (issue 25). On PostgreSQL the database's
clock (``clock_timestamp()``) is the deployment's one clock: each process measures its offset
from it (at start, then every :data:`RECHECK_SECONDS`), and while the offset exceeds
``STRAVASYNC_CLOCK_SKEW_TOLERANCE`` it claims nothing and ``/readyz`` says why. The configured
:class:`~stravasync.clock.Clock` stays the time the code runs on, so virtual and scaled clocks keep
working: a clock that claims the real time (the wall clock, or a scaled one at speed 1) is
compared as it reads; a virtual-time clock (speed other than 1) by the wall clock it is built on.
SQLite is one machine's file, so its processes share the machine's clock: nothing to measure.

The decisions (:func:`judge`, :func:`undo_shift`) are pure; :func:`measure` is the one query.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, text

from stravasync.clock import Clock, as_utc, from_epoch, in_real_time

log = logging.getLogger(__name__)

RECHECK_SECONDS = 30.0
"""Wall seconds between two measurements by a running process (an NTP step is seen within)."""


@dataclass(frozen=True, slots=True)
class Skew:
    """A process clock's offset from the database's, in seconds (positive: ahead)."""

    offset: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return abs(self.offset) <= self.tolerance

    @property
    def reason(self) -> str | None:
        """Why the process must not claim work, or None."""
        if self.ok:
            return None
        way = "ahead of" if self.offset > 0 else "behind"
        return (
            f"this process's clock is {abs(self.offset):.1f} s {way} the database's "
            f"(STRAVASYNC_CLOCK_SKEW_TOLERANCE={self.tolerance:g}): it claims no work until "
            "the clocks agree (fix the machine's time sync)"
        )


def judge(process: datetime, database: datetime, tolerance: float) -> Skew:
    """The skew of a process that read ``process`` when the database read ``database``."""
    return Skew((as_utc(process) - as_utc(database)).total_seconds(), tolerance)


def undo_shift(value: datetime | None, written_at: datetime, now: datetime) -> datetime | None:
    """A time written by a process whose ``now`` was ``written_at`` (later than ours), moved
    back by that process's lead: what it would have written with our clock."""
    if value is None:
        return None
    return as_utc(value) - (as_utc(written_at) - as_utc(now))


def database_now(conn: Connection) -> datetime | None:
    """The database server's clock (PostgreSQL's ``clock_timestamp()``); None on SQLite, whose
    processes share one machine's clock."""
    if conn.dialect.name != "postgresql":
        return None
    value = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
    return as_utc(value)


def measure(engine: Engine, clock: Clock, tolerance: float) -> Skew | None:
    """The process clock's skew from the database's; None on SQLite.

    The process side is read on both sides of the query and the midpoint taken, so the round
    trip counts half against the tolerance. ``tolerance`` is in wall seconds."""
    if engine.dialect.name != "postgresql":
        return None
    real = in_real_time(clock)
    with engine.connect() as conn:
        before = clock.now() if real else from_epoch(time.time())
        db_now = database_now(conn)
        after = clock.now() if real else from_epoch(time.time())
    assert db_now is not None
    return judge(before + (after - before) / 2, db_now, tolerance)


class SkewWatch:
    """A process's latest measurement, taken again when older than :data:`RECHECK_SECONDS`.

    Thread-safe: engine threads and ``/readyz`` share one. A failed measurement (the database
    is away) keeps the last verdict: the work that needs the database fails on its own.
    """

    def __init__(self, engine: Engine, clock: Clock, tolerance: float) -> None:
        self.engine = engine
        self.clock = clock
        self.tolerance = tolerance
        self._lock = threading.Lock()
        self._last: Skew | None = None
        self._at: float | None = None

    def current(self, *, fresh: bool = False) -> Skew | None:
        """The skew (measured now if ``fresh`` or the last one is stale); None on SQLite."""
        with self._lock:
            stale = self._at is None or time.monotonic() - self._at >= RECHECK_SECONDS
            if fresh or stale:
                try:
                    skew = measure(self.engine, self.clock, self.tolerance)
                except Exception as exc:
                    log.warning("clock check failed (%s)", type(exc).__name__)
                    return self._last
                if skew is not None and (self._last is None or skew.ok != self._last.ok):
                    if skew.ok:
                        log.info("clock agrees with the database's (offset %.2f s)", skew.offset)
                    else:
                        log.error("%s", skew.reason)
                self._last, self._at = skew, time.monotonic()
            return self._last

    def refuses(self) -> str | None:
        """Why this process must not claim work now, or None."""
        skew = self.current()
        return skew.reason if skew is not None else None
