"""The application's rate limits: fixed windows at :00/:15/:30/:45 UTC and at UTC midnight.

Every counted request is added before the check, so rejected requests count too and usage can
read above the limit. Times are epoch seconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from stravasync.simulator.config import QuotaLimits

QUARTER = 900
DAY = 86400


@dataclass
class Usage:
    overall_15min: int = 0
    overall_daily: int = 0
    read_15min: int = 0
    read_daily: int = 0


class RateLimiter:
    """Counts requests per window and says whether each one is over a limit."""

    def __init__(self, limits: QuotaLimits) -> None:
        self.limits = limits
        self.usage = Usage()
        self._quarter = -1
        self._day = -1
        self._lock = threading.Lock()

    def _roll(self, now: int) -> None:
        quarter, day = now - now % QUARTER, now - now % DAY
        if quarter != self._quarter:
            self._quarter = quarter
            self.usage.overall_15min = self.usage.read_15min = 0
        if day != self._day:
            self._day = day
            self.usage.overall_daily = self.usage.read_daily = 0

    def hit(self, now: int, *, read: bool = True) -> bool:
        """Count one request at ``now``; True if it is within every limit."""
        with self._lock:
            self._roll(now)
            u, lim = self.usage, self.limits
            u.overall_15min += 1
            u.overall_daily += 1
            if read:
                u.read_15min += 1
                u.read_daily += 1
            ok = u.overall_15min <= lim.overall_15min and u.overall_daily <= lim.overall_daily
            if read:
                ok = ok and u.read_15min <= lim.read_15min and u.read_daily <= lim.read_daily
            return ok

    def snapshot(self, now: int) -> Usage:
        with self._lock:
            self._roll(now)
            u = self.usage
            return Usage(u.overall_15min, u.overall_daily, u.read_15min, u.read_daily)

    def headers(self, now: int) -> list[tuple[bytes, bytes]]:
        """The four X-RateLimit headers, each "fifteen_minute,daily"."""
        u, lim = self.snapshot(now), self.limits
        return [
            (b"x-ratelimit-limit", f"{lim.overall_15min},{lim.overall_daily}".encode()),
            (b"x-ratelimit-usage", f"{u.overall_15min},{u.overall_daily}".encode()),
            (b"x-readratelimit-limit", f"{lim.read_15min},{lim.read_daily}".encode()),
            (b"x-readratelimit-usage", f"{u.read_15min},{u.read_daily}".encode()),
        ]
