"""Pure shaping of the athlete's numbers for the pages: units, laps, splits, chart series."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stravasync.stats.eddington import MILE

NONE = "\u2013"  # an en dash: no value
PERIOD_LIMITS = {"weekly": 52, "monthly": 36, "yearly": 50}
"""How many of the newest periods each chart shows (the table below it shows the same)."""
METRICS = {
    "distance": ("distance_m", 1000.0, "km"),
    "time": ("moving_time_s", 3600.0, "h"),
    "elevation": ("elevation_m", 1.0, "m"),
}


def km(metres: Any) -> str:
    if not isinstance(metres, int | float):
        return NONE
    return f"{metres / 1000:.2f} km"


def metres(value: Any) -> str:
    if not isinstance(value, int | float):
        return NONE
    return f"{value:.0f} m"


def duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return NONE
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def when(value: Any) -> str:
    if not isinstance(value, datetime):
        return NONE
    return f"{value:%Y-%m-%d %H:%M}"


def pace_or_speed(sport: str | None, metres_: Any, seconds: Any) -> str:
    """min/km for runs and walks, km/h for the rest."""
    if not isinstance(metres_, int | float) or not isinstance(seconds, int | float):
        return NONE
    if metres_ <= 0 or seconds <= 0:
        return NONE
    if sport and ("Run" in sport or sport in ("Walk", "Hike")):
        per_km = seconds / (metres_ / 1000)
        return f"{int(per_km // 60)}:{int(per_km % 60):02d} /km"
    return f"{metres_ / seconds * 3.6:.1f} km/h"


def numbers(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The activity's headline numbers as (label, value) pairs."""
    sport = row.get("sport_type")
    out = [
        ("Sport", str(sport or NONE)),
        ("Start (local)", when(row.get("start_date_local"))),
        ("Distance", km(row.get("distance"))),
        ("Moving time", duration(row.get("moving_time"))),
        ("Elapsed time", duration(row.get("elapsed_time"))),
        ("Elevation gain", metres(row.get("total_elevation_gain"))),
        ("Average", pace_or_speed(sport, row.get("distance"), row.get("moving_time"))),
    ]
    for label, key, unit in (
        ("Average heart rate", "average_heartrate", "bpm"),
        ("Max heart rate", "max_heartrate", "bpm"),
        ("Average power", "average_watts", "W"),
        ("Calories", "calories", "kcal"),
    ):
        value = row.get(key)
        if isinstance(value, int | float):
            out.append((label, f"{value:.0f} {unit}"))
    return out


def laps(row: dict[str, Any]) -> list[dict[str, str]]:
    sport = row.get("sport_type")
    items = row.get("laps_json") or []
    return [
        {
            "name": str(lap.get("name") or f"Lap {i}"),
            "distance": km(lap.get("distance")),
            "time": duration(lap.get("moving_time")),
            "pace": pace_or_speed(sport, lap.get("distance"), lap.get("moving_time")),
            "elevation": metres(lap.get("total_elevation_gain")),
        }
        for i, lap in enumerate(items if isinstance(items, list) else [], start=1)
        if isinstance(lap, dict)
    ]


def splits(row: dict[str, Any]) -> list[dict[str, str]]:
    sport = row.get("sport_type")
    items = row.get("splits_metric_json") or []
    return [
        {
            "split": str(s.get("split") or i),
            "distance": km(s.get("distance")),
            "time": duration(s.get("moving_time")),
            "pace": pace_or_speed(sport, s.get("distance"), s.get("moving_time")),
            "elevation": metres(s.get("elevation_difference")),
        }
        for i, s in enumerate(items if isinstance(items, list) else [], start=1)
        if isinstance(s, dict)
    ]


def best_efforts(row: dict[str, Any]) -> list[dict[str, str]]:
    items = row.get("best_efforts_json") or []
    return [
        {
            "name": str(e.get("name") or NONE),
            "time": duration(e.get("moving_time") or e.get("elapsed_time")),
            "pr": f"PR {e['pr_rank']}" if isinstance(e.get("pr_rank"), int) else "",
        }
        for e in (items if isinstance(items, list) else [])
        if isinstance(e, dict)
    ]


def gear(row: dict[str, Any]) -> tuple[str, str] | None:
    """(gear id, name or "") when the activity names its gear."""
    detail = row.get("detail_json") or {}
    g = detail.get("gear") if isinstance(detail, dict) else None
    gear_id = row.get("gear_id") or (g.get("id") if isinstance(g, dict) else None)
    if not gear_id:
        return None
    name = g.get("name") if isinstance(g, dict) and g.get("id") == gear_id else None
    return str(gear_id), str(name or "")


def polyline(row: dict[str, Any]) -> str | None:
    """The detailed polyline when fetched, else the summary one."""
    for raw, key in (
        (row.get("detail_json"), "polyline"),
        (row.get("summary_json"), "summary_polyline"),
    ):
        line = ((raw or {}).get("map") or {}).get(key) if isinstance(raw, dict) else None
        if isinstance(line, str) and line:
            return line
    return None


def chart_series(rollups: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per period (weekly, monthly, yearly): the newest periods, and per sport and metric a
    value per period (km, hours, metres), ready for Chart.js and the tables beside it."""
    out: dict[str, Any] = {}
    for name, rows in rollups.items():
        periods = sorted({r["period"] for r in rows})[-PERIOD_LIMITS.get(name, 50) :]
        index = {p: i for i, p in enumerate(periods)}
        sports = sorted({r["sport"] for r in rows if r["period"] in index})
        series: dict[str, dict[str, list[float]]] = {
            metric: {s: [0.0] * len(periods) for s in sports} for metric in METRICS
        }
        for r in rows:
            i = index.get(r["period"])
            if i is None:
                continue
            for metric, (key, div, _unit) in METRICS.items():
                series[metric][r["sport"]][i] += round(float(r[key]) / div, 2)
        out[name] = {"periods": periods, "sports": sports, "series": series}
    return out


def units() -> dict[str, str]:
    return {metric: unit for metric, (_k, _d, unit) in METRICS.items()}


def eddington_rows(report: dict[str, dict[str, dict[str, int]]]) -> list[dict[str, Any]]:
    """One row per (group, unit): the number, and what the next one needs in plain words
    (the next number's day distance in both units, how many more such days)."""
    rows = []
    for group, by_unit in report.items():
        for unit, e in by_unit.items():
            unit_m = 1000.0 if unit == "km" else MILE
            day_m = e["next"] * unit_m
            other = f"{day_m / MILE:.1f} miles" if unit == "km" else f"{day_m / 1000:.1f} km"
            rows.append(
                {
                    "group": group,
                    "unit": unit,
                    "number": e["number"],
                    "next": e["next"],
                    "days_needed": e["days_needed_for_next"],
                    "have": e["days_at_or_above_next"],
                    "needs": f"{e['days_needed_for_next']} more days of {e['next']} {unit} "
                    f"({other}) or more; {e['days_at_or_above_next']} of {e['next']} done",
                }
            )
    return rows
