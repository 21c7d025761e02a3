"""Spending per budget class: every reservation the engine's budget granted, by UTC day.

:class:`ClassLog` wraps the engine's :class:`stravasync.strava.quota.budget.Budget` (same decisions,
same shared counters) and notes the class of each request it let through, so a run can show
how much of each day's read limit interactive work, webhooks, backfill, enrichment... used
and what the daily reserve kept. Token requests the budget does not count (when Strava does
not) are not in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from stravasync.lab import Lab
from stravasync.strava.errors import RateLimited
from stravasync.strava.quota.budget import Budget
from stravasync.strava.quota.ratelimit import Priority

DAY = 86400
CLASSES = tuple(p.name.lower() for p in Priority)


class ClassLog:
    def __init__(self, inner: Budget) -> None:
        self.inner = inner
        self.rows: list[tuple[int, str]] = []  # (epoch, class) of every granted reservation

    def reserve(self, priority: Priority, *, read: bool = True, now: datetime) -> None:
        self.inner.reserve(priority, read=read, now=now)
        self.rows.append((int(now.timestamp()), priority.name.lower()))

    def reconcile(
        self, headers: Mapping[str, str], now: datetime, *, sent_at: datetime | None = None
    ) -> None:
        self.inner.reconcile(headers, now, sent_at=sent_at)

    def on_429(
        self, headers: Mapping[str, str], now: datetime, *, read: bool = True
    ) -> RateLimited:
        return self.inner.on_429(headers, now, read=read)


def install(lab: Lab) -> ClassLog:
    """Wrap the budget of the lab's engine (its client, token refreshes included)."""
    transport = lab.engine.port.client.transport
    log = ClassLog(transport.budget)
    transport.budget = log
    return log


def per_day(
    rows: list[tuple[int, str]], read_daily: int, *, since: int = 0, until: int | None = None
) -> list[dict[str, Any]]:
    """Per UTC day (the budget's day) in [since, until): reads per class and their share of
    the daily read limit."""
    days: dict[int, Counter[str]] = {}
    for t, name in rows:
        if t < since or (until is not None and t >= until):
            continue
        days.setdefault(t // DAY, Counter())[name] += 1
    out = []
    for day in sorted(days):
        counts = days[day]
        total = sum(counts.values())
        out.append(
            {
                "day": datetime.fromtimestamp(day * DAY, UTC).date().isoformat(),
                "reads": {c: counts.get(c, 0) for c in CLASSES},
                "total": total,
                "share": {c: round(counts.get(c, 0) / read_daily, 3) for c in CLASSES},
                "left": read_daily - total,
            }
        )
    return out
