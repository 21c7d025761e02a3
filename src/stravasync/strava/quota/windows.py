"""Strava's rate windows: fixed, aligned to UTC quarter hours and UTC midnight (not sliding).

Pure arithmetic on aware datetimes via epoch seconds, so daylight-saving changes of any local
zone cannot move a boundary: Strava resets at :00, :15, :30, :45 UTC and 00:00 UTC.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum

from stravasync.clock import as_utc, from_epoch


class Window(StrEnum):
    QUARTER = "15min"
    DAY = "daily"

    @property
    def seconds(self) -> int:
        return 900 if self is Window.QUARTER else 86_400


def window_start(window: Window, now: datetime) -> datetime:
    """The start of the window containing ``now`` (UTC; a boundary belongs to the new window)."""
    ts = as_utc(now).timestamp()
    return from_epoch(math.floor(ts / window.seconds) * window.seconds)


def window_end(window: Window, now: datetime) -> datetime:
    """The first instant of the next window (when the counter resets)."""
    return window_start(window, now) + timedelta(seconds=window.seconds)


def elapsed_fraction(window: Window, now: datetime) -> float:
    """How far into its window ``now`` is, in [0, 1)."""
    return (as_utc(now) - window_start(window, now)).total_seconds() / window.seconds


def remaining_seconds(window: Window, now: datetime) -> float:
    """Seconds until the window containing ``now`` resets, in (0, window.seconds]."""
    return (window_end(window, now) - as_utc(now)).total_seconds()
