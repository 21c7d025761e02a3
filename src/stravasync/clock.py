"""Time as an input (DESIGN principle 3).

Core logic takes ``now`` as an argument. Only runtime shells ask a :class:`Clock` for the time
or wait on it. :class:`VirtualClock` lets tests and benchmarks run a simulated week in seconds.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


def utcnow() -> datetime:
    """The real current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def from_epoch(seconds: float) -> datetime:
    """An aware UTC datetime from epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)


def to_epoch(value: datetime) -> int:
    """Epoch seconds (int) of an aware or naive-UTC datetime."""
    return int(as_utc(value).timestamp())


class Clock(Protocol):
    """Where runtime shells get the time and wait."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (real or virtual)."""
        ...


class RealClock:
    """The wall clock."""

    def now(self) -> datetime:
        return utcnow()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class VirtualClock:
    """A clock that only moves when told to. ``sleep`` advances it instantly.

    Thread-safe, so an in-process simulator and the engine under test may share one.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = as_utc(start) if start is not None else datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> datetime:
        """Move forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("a virtual clock never goes backwards")
        with self._lock:
            self._now = self._now + timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> datetime:
        """Jump to ``when`` (must not be in the past)."""
        when = as_utc(when)
        with self._lock:
            if when < self._now:
                raise ValueError("a virtual clock never goes backwards")
            self._now = when
            return self._now


class ScaledClock:
    """Virtual time that runs ``speed`` times faster than the wall clock.

    ``now = origin + (wall_now - wall_origin) * speed``. Two processes built with the same
    ``origin``, ``wall_origin`` and ``speed`` agree on the time, so a live demo or a multi-process
    test can squeeze 15-minute rate windows into seconds. ``sleep`` waits the scaled wall time.
    """

    def __init__(self, origin: datetime, wall_origin: float, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.origin = as_utc(origin)
        self.wall_origin = wall_origin
        self.speed = speed

    def now(self) -> datetime:
        return self.origin + timedelta(seconds=(time.time() - self.wall_origin) * self.speed)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.speed)


def wall_seconds(clock: Clock, seconds: float) -> float:
    """The wall seconds a wait of ``seconds`` on ``clock`` lasts: a scaled clock's seconds
    divided by its speed; the wall clock's (and a virtual one's, which moves only when told)
    unchanged. For waits on a ``threading.Event``, which knows only wall time."""
    return seconds / clock.speed if isinstance(clock, ScaledClock) else seconds


def clock_seconds(clock: Clock, wall: float) -> float:
    """The inverse of :func:`wall_seconds`: ``wall`` seconds on ``clock`` (a scaled clock's
    speed times them)."""
    return wall * clock.speed if isinstance(clock, ScaledClock) else wall


def in_real_time(clock: Clock) -> bool:
    """Whether ``clock`` claims to tell the real time (the wall clock, or a scaled one at speed
    1, which is the wall clock shifted): its reading is then comparable with a database's."""
    return isinstance(clock, RealClock) or (isinstance(clock, ScaledClock) and clock.speed == 1)
