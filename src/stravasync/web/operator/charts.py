"""Pure view helpers for the dashboard: inline-SVG bar charts, gauges and freshness labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    maximum: float
    limit_y: float | None
    """y of a horizontal limit line, when a limit was given."""


def bar_chart(
    points: Sequence[tuple[str, float]],
    *,
    width: int = 480,
    height: int = 120,
    limit: float | None = None,
    gap: float = 1.0,
) -> BarChart:
    """Lay out one bar per point, scaled to the larger of the highest value and ``limit``."""
    top = max([v for _, v in points] + ([limit] if limit else []) + [0.0])
    scale = (height - 2) / top if top > 0 else 0.0
    step = width / len(points) if points else 0.0
    bars = []
    for i, (label, value) in enumerate(points):
        h = max(value, 0.0) * scale
        bars.append(
            Bar(
                x=round(i * step, 2),
                y=round(height - h, 2),
                width=round(max(step - gap, 1.0), 2),
                height=round(h, 2),
                label=label,
                value=value,
            )
        )
    limit_y = round(height - limit * scale, 2) if limit and scale else None
    return BarChart(width=width, height=height, bars=tuple(bars), maximum=top, limit_y=limit_y)


def gauge_percent(used: int, limit: int) -> int:
    """0..100, for a gauge's fill."""
    if limit <= 0:
        return 100
    return max(0, min(100, round(100 * used / limit)))


def freshness(last: datetime | None, now: datetime) -> str:
    """'never', 'just now', '5 min ago', '3 h ago', '2 d ago'."""
    if last is None:
        return "never"
    seconds = (now - last).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def monthly_distance_km(
    stats: Mapping[str, Any], sport: str | None = None
) -> list[tuple[str, float]]:
    """Sum the stats document's monthly rollups per period (all sports, or one), in km."""
    totals: dict[str, float] = defaultdict(float)
    monthly: Iterable[Mapping[str, Any]] = stats.get("rollups", {}).get("monthly", [])
    for row in monthly:
        if sport is None or row.get("sport") == sport:
            totals[str(row.get("period"))] += float(row.get("distance_m") or 0.0) / 1000.0
    return [(period, round(km, 1)) for period, km in sorted(totals.items())]


def history_series(
    points: Iterable[Mapping[str, Any]], limit_class: str, window: str
) -> list[tuple[str, float]]:
    """(label, used) per closed window of one limit class and window length, oldest first."""
    out = []
    for p in points:
        if p["limit_class"] == limit_class and p["window"] == window:
            start: datetime = p["window_start"]
            out.append((start.strftime("%H:%M"), float(p["used"])))
    return out
