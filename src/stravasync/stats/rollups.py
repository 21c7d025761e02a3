"""Rollups per period and sport, races, and personal records: pure functions over facts.

Periods use the athlete's local day: ISO weeks (``2026-W02``), months (``2026-01``), years.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from stravasync.stats.facts import GROUPS, ActivityFacts, in_group

PeriodKey = Callable[[date], str]


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def year(day: date) -> str:
    return f"{day.year}"


PERIODS: dict[str, PeriodKey] = {"weekly": iso_week, "monthly": month, "yearly": year}


@dataclass(slots=True)
class Totals:
    count: int = 0
    distance_m: float = 0.0
    moving_time_s: int = 0
    elevation_m: float = 0.0

    def add(self, fact: ActivityFacts) -> None:
        self.count += 1
        self.distance_m += fact.distance_m
        self.moving_time_s += fact.moving_time_s
        self.elevation_m += fact.elevation_m


def rollup(facts: Iterable[ActivityFacts], key: PeriodKey) -> list[dict[str, Any]]:
    """Totals per (period, sport), sorted by period then sport."""
    table: dict[tuple[str, str], Totals] = {}
    for fact in facts:
        table.setdefault((key(fact.day), fact.sport), Totals()).add(fact)
    return [
        {
            "period": period,
            "sport": sport,
            "count": t.count,
            "distance_m": round(t.distance_m, 3),
            "moving_time_s": t.moving_time_s,
            "elevation_m": round(t.elevation_m, 3),
        }
        for (period, sport), t in sorted(table.items())
    ]


def rollups(facts: Iterable[ActivityFacts]) -> dict[str, list[dict[str, Any]]]:
    items = list(facts)
    return {name: rollup(items, key) for name, key in PERIODS.items()}


def races(facts: Iterable[ActivityFacts]) -> list[dict[str, Any]]:
    """Activities marked as races (workout_type 1 for runs, 11 for rides), newest first."""
    found = sorted((f for f in facts if f.is_race), key=lambda f: (f.start_local, f.id))
    return [
        {
            "id": f.id,
            "name": f.name,
            "sport_type": f.sport,
            "workout_type": f.workout_type,
            "start_date_local": f.start_local.isoformat(),
            "distance_m": f.distance_m,
            "moving_time_s": f.moving_time_s,
            "elapsed_time_s": f.elapsed_time_s,
        }
        for f in reversed(found)
    ]


def _ref(fact: ActivityFacts) -> dict[str, Any]:
    return {
        "id": fact.id,
        "name": fact.name,
        "sport_type": fact.sport,
        "start_date_local": fact.start_local.isoformat(),
        "distance_m": fact.distance_m,
        "elevation_m": fact.elevation_m,
    }


def _best(items: list[ActivityFacts], value: Callable[[ActivityFacts], float]) -> Any:
    """The activity with the largest positive value; ties go to the earliest (then lowest id)."""
    candidates = [f for f in items if value(f) > 0]
    if not candidates:
        return None
    best = min(candidates, key=lambda f: (-value(f), f.start_local, f.id))
    return _ref(best)


def records(facts: Iterable[ActivityFacts]) -> dict[str, dict[str, Any]]:
    """Longest activity (distance) and biggest climb (elevation gain) per group."""
    items = list(facts)
    out: dict[str, dict[str, Any]] = {}
    for group in GROUPS:
        members = [f for f in items if in_group(f.sport, group)]
        out[group] = {
            "longest": _best(members, lambda f: f.distance_m),
            "biggest_climb": _best(members, lambda f: f.elevation_m),
        }
    return out
