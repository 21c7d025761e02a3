"""Pure view helpers for the dashboard: the charts' data (drawn by Chart.js in the page), gauges
and freshness labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[float, ...]
    kind: Literal["bar", "line"] = "bar"


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: what the page's script hands Chart.js (:meth:`spec`, JSON in the page), with
    its axis titles, unit and a one-sentence text alternative; ``rows`` is the same data as a
    table for people who do not see the canvas."""

    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    x_title: str
    y_title: str
    unit: str
    summary: str

    def spec(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "labels": list(self.labels),
            "series": [
                {"label": s.label, "values": list(s.values), "kind": s.kind} for s in self.series
            ],
            "x_title": self.x_title,
            "y_title": self.y_title,
            "unit": self.unit,
        }

    @property
    def rows(self) -> list[tuple[str, list[float]]]:
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def quota_chart(series: Sequence[tuple[datetime, float]], *, name: str, limit: int | None) -> Chart:
    """Requests per 15-minute window (UTC start times on the x axis), with the window's limit
    drawn as a line when given."""
    labels = tuple(start.strftime("%H:%M") for start, _ in series)
    used = tuple(v for _, v in series)
    lines = [Series("requests used", used)]
    if limit is not None:
        lines.append(Series("limit", tuple(float(limit) for _ in series), "line"))
    if series:
        peak_at, peak = max(series, key=lambda p: p[1])
        first, last = series[0][0], series[-1][0]
        summary = (
            f"{len(series)} windows from {first:%H:%M} to {last:%H:%M} UTC; "
            f"peak {_number(peak)} requests at {peak_at:%H:%M}"
            + (f"; limit {limit} per 15 minutes" if limit is not None else "")
        )
    else:
        summary = "no request recorded in the last 24 hours"
    return Chart(
        title=f"{name}: requests per 15 minutes, last 24 hours",
        labels=labels,
        series=tuple(lines),
        x_title="window start (UTC)",
        y_title="requests per 15 min",
        unit="requests",
        summary=summary,
    )


def month_label(period: str) -> str:
    """``2026-11`` -> ``Nov 2026`` (anything else unchanged)."""
    try:
        return datetime.strptime(period, "%Y-%m").strftime("%b %Y")
    except ValueError:
        return period


def monthly_chart(points: Sequence[tuple[str, float]]) -> Chart:
    """Distance per month in km, months as "Nov 2026"."""
    labels = tuple(month_label(p) for p, _ in points)
    values = tuple(v for _, v in points)
    if points:
        best = max(range(len(points)), key=lambda i: values[i])
        summary = (
            f"{len(points)} months from {labels[0]} to {labels[-1]}; "
            f"{_number(sum(values))} km in all; most in {labels[best]} "
            f"({_number(values[best])} km)"
        )
    else:
        summary = "no activity with a distance yet"
    return Chart(
        title="Distance per month",
        labels=labels,
        series=(Series("distance (km)", values),),
        x_title="month",
        y_title="distance (km)",
        unit="km",
        summary=summary,
    )


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
) -> list[tuple[datetime, float]]:
    """(window start, used) per closed window of one limit class and window length, oldest
    first."""
    return [
        (p["window_start"], float(p["used"]))
        for p in points
        if p["limit_class"] == limit_class and p["window"] == window
    ]
