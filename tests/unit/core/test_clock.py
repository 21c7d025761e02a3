from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from stravasync.clock import (
    RealClock,
    ScaledClock,
    VirtualClock,
    as_utc,
    from_epoch,
    to_epoch,
    wall_seconds,
)


def test_virtual_clock_moves_only_when_told() -> None:
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    clock = VirtualClock(start)
    assert clock.now() == start
    clock.sleep(90)
    assert clock.now() == start + timedelta(seconds=90)
    clock.set(start + timedelta(hours=1))
    assert clock.now() == start + timedelta(hours=1)


def test_virtual_clock_never_goes_backwards() -> None:
    clock = VirtualClock(datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 2, 1, tzinfo=UTC))


def test_epoch_round_trip_and_naive_is_utc() -> None:
    moment = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)
    assert from_epoch(to_epoch(moment)) == moment
    assert as_utc(datetime(2026, 7, 1, 6, 30)) == moment


def test_scaled_clocks_with_same_origin_agree() -> None:
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    wall = time.time() - 10
    a = ScaledClock(origin, wall, 60)
    b = ScaledClock(origin, wall, 60)
    assert abs((a.now() - b.now()).total_seconds()) < 5
    assert a.now() - origin >= timedelta(seconds=600)


def test_wall_seconds_divides_by_a_scaled_clocks_speed_only() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert wall_seconds(ScaledClock(start, 0.0, 60.0), 600.0) == pytest.approx(10.0)
    assert wall_seconds(ScaledClock(start, 0.0, 0.5), 3.0) == pytest.approx(6.0)
    assert wall_seconds(ScaledClock(start, 0.0, 1.0), 42.0) == 42.0
    assert wall_seconds(RealClock(), 42.0) == 42.0
    assert wall_seconds(VirtualClock(start), 42.0) == 42.0
