"""The pure decisions behind one clock across processes (issue 25): skew, tolerance, repair."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from stravasync.clock import (
    RealClock,
    ScaledClock,
    VirtualClock,
    clock_seconds,
    in_real_time,
    wall_seconds,
)
from stravasync.strava.quota.counters import Counter, unskew
from stravasync.strava.quota.ratelimit import LimitClass
from stravasync.strava.quota.windows import Window
from stravasync.work.skew import judge, undo_shift

NOW = datetime(2026, 3, 10, 12, 7, 30, tzinfo=UTC)
QUARTER = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_clock_within_the_tolerance_is_ok_either_way() -> None:
    assert judge(NOW + timedelta(seconds=4.9), NOW, 5).ok
    assert judge(NOW - timedelta(seconds=4.9), NOW, 5).ok
    assert judge(NOW, NOW, 5).reason is None


def test_a_clock_an_hour_ahead_or_behind_is_refused_with_the_offset() -> None:
    ahead = judge(NOW + HOUR, NOW, 5)
    assert not ahead.ok and ahead.offset == 3600
    assert ahead.reason is not None
    assert "3600.0 s ahead of the database's" in ahead.reason
    assert "STRAVASYNC_CLOCK_SKEW_TOLERANCE=5" in ahead.reason
    behind = judge(NOW - timedelta(seconds=6), NOW, 5)
    assert behind.reason is not None and "6.0 s behind" in behind.reason


def test_which_clocks_claim_the_real_time() -> None:
    assert in_real_time(RealClock())
    assert in_real_time(ScaledClock(NOW + HOUR, 0.0, 1.0))  # shifted: compared as it reads
    assert not in_real_time(ScaledClock(NOW, 0.0, 60.0))  # virtual time: its wall clock is
    assert not in_real_time(VirtualClock(NOW))


def test_clock_seconds_is_the_inverse_of_wall_seconds() -> None:
    fast = ScaledClock(NOW, 0.0, 60.0)
    assert clock_seconds(fast, 5) == 300
    assert wall_seconds(fast, clock_seconds(fast, 5)) == 5
    assert clock_seconds(RealClock(), 5) == 5


def test_undo_shift_moves_a_time_back_by_the_writers_lead() -> None:
    written_at = NOW + HOUR  # the writer's clock said this when we say NOW
    assert undo_shift(NOW + HOUR + timedelta(minutes=20), written_at, NOW) == NOW + timedelta(
        minutes=20
    )
    assert undo_shift(None, written_at, NOW) is None


def _counter(start: datetime, *, used: int = 7, closed: datetime | None = None) -> Counter:
    return Counter(LimitClass.READ, Window.QUARTER, start, used, 100, closed_until=closed)


def test_a_window_from_a_clock_ahead_becomes_the_current_one() -> None:
    future = _counter(QUARTER + HOUR, used=100)  # full: held every request for over an hour
    fixed = unskew(future, NOW, 5)
    assert fixed.window_start == QUARTER and fixed.used == 0  # Strava's headers set it next
    day = Counter(LimitClass.READ, Window.DAY, datetime(2026, 3, 11, tzinfo=UTC), 300, 1000)
    assert unskew(day, NOW, 5) == replace(day, window_start=datetime(2026, 3, 10, tzinfo=UTC))


def test_a_close_past_the_next_reset_is_dropped_a_real_one_kept() -> None:
    far = _counter(QUARTER, closed=QUARTER + HOUR + timedelta(minutes=15))
    assert unskew(far, NOW, 5).closed_until is None
    real = _counter(QUARTER, closed=QUARTER + timedelta(minutes=15))  # a 429 closes until then
    assert unskew(real, NOW, 5) == real


def test_windows_within_the_tolerance_or_in_the_past_are_left_alone() -> None:
    for start in (QUARTER, QUARTER - HOUR):
        assert unskew(_counter(start), NOW, 5) == _counter(start)
    # two seconds before a reset, a process 2 s ahead legitimately opened the next window
    just = _counter(QUARTER + timedelta(minutes=15))
    assert unskew(just, QUARTER + timedelta(minutes=14, seconds=58), 5) == just
