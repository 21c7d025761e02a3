"""How long an idle engine thread sleeps: clock seconds until the next work, as wall seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest

from stravasync.clock import ScaledClock, VirtualClock
from stravasync.config import Settings
from stravasync.store import Database
from stravasync.sync import Engine
from stravasync.web.operator.workers import IDLE_MAX_SECONDS, IDLE_MIN_SECONDS, Workers, idle_wait

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


class FrozenScaledClock(ScaledClock):
    """A scaled clock whose time stands still, so a test does not depend on the wall clock."""

    def now(self) -> datetime:
        return self.origin


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_unscaled_wait_is_the_clock_seconds_until_due_within_the_bounds() -> None:
    clock = VirtualClock(NOW)
    assert idle_wait(clock, later(10)) == 10.0
    assert idle_wait(clock, later(3600)) == IDLE_MAX_SECONDS
    assert idle_wait(clock, None) == IDLE_MAX_SECONDS
    assert idle_wait(clock, later(-5)) == IDLE_MIN_SECONDS  # overdue: look again at once


def test_scaled_wait_is_divided_by_the_speed() -> None:
    clock = FrozenScaledClock(NOW, 0.0, 60.0)
    assert idle_wait(clock, later(600)) == pytest.approx(10.0)  # was 30 s: 30 clock minutes
    assert idle_wait(clock, later(6)) == pytest.approx(0.1)
    assert idle_wait(clock, later(1)) == IDLE_MIN_SECONDS
    assert idle_wait(clock, later(86_400)) == IDLE_MAX_SECONDS  # the cap stays wall seconds
    assert idle_wait(clock, None) == IDLE_MAX_SECONDS
    slow = FrozenScaledClock(NOW, 0.0, 0.5)
    assert idle_wait(slow, later(10)) == pytest.approx(20.0)


class DueIn:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def next_wakeup(self) -> datetime:
        return later(self.seconds)


class RecordingEvent:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        return False

    def clear(self) -> None:
        pass


def test_an_idle_thread_waits_the_wall_seconds_of_a_scaled_probe() -> None:
    settings = cast(Settings, SimpleNamespace(clock_skew_tolerance=5.0))
    db = cast(Database, SimpleNamespace(engine=None))  # the skew watch keeps it, unused here
    workers = Workers(settings, db, FrozenScaledClock(NOW, 0.0, 60.0))
    event = RecordingEvent()
    workers.wake_event = cast(Any, event)
    workers._idle(cast(Engine, DueIn(120)))  # an app-state probe two clock minutes away
    assert event.waits == [pytest.approx(2.0)]
