"""The Eddington number: the largest E such that on at least E days the distance was >= E units.

Pure functions over daily distance totals (metres per local day). A day exactly at E units
counts (>=). Distances are compared in metres with a tolerance of a millimetre so that a day of
exactly 10 miles (16093.44 m) is not lost to float rounding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from stravasync.stats.facts import GROUPS, ActivityFacts, in_group

KM = 1000.0
MILE = 1609.344
UNITS = {"km": KM, "miles": MILE}
_TOLERANCE_M = 1e-3


@dataclass(frozen=True, slots=True)
class Eddington:
    number: int
    days_needed_for_next: int  # more qualifying days needed to reach number + 1
    days_at_or_above_next: int  # days already at >= number + 1 units

    def as_json(self) -> dict[str, int]:
        return {
            "number": self.number,
            "next": self.number + 1,
            "days_needed_for_next": self.days_needed_for_next,
            "days_at_or_above_next": self.days_at_or_above_next,
        }


def whole_units(distance_m: float, unit_m: float) -> int:
    """How many whole units a day's distance covers (``distance_m >= n * unit_m``)."""
    if distance_m <= 0:
        return 0
    return int((distance_m + _TOLERANCE_M) // unit_m)


def eddington(daily_m: Iterable[float], unit_m: float) -> Eddington:
    """Eddington number of per-day distances in metres, for a unit in metres."""
    units = sorted((whole_units(d, unit_m) for d in daily_m), reverse=True)
    number = 0
    for rank, value in enumerate(units, start=1):
        if value >= rank:
            number = rank
        else:
            break
    target = number + 1
    at_or_above = sum(1 for value in units if value >= target)
    return Eddington(number, max(0, target - at_or_above), at_or_above)


def daily_totals(facts: Iterable[ActivityFacts], group: str = "overall") -> dict[date, float]:
    """Distance in metres per local day for the activities of a sport group."""
    totals: defaultdict[date, float] = defaultdict(float)
    for fact in facts:
        if in_group(fact.sport, group) and fact.distance_m > 0:
            totals[fact.day] += fact.distance_m
    return dict(totals)


def eddington_report(facts: Iterable[ActivityFacts]) -> dict[str, dict[str, dict[str, int]]]:
    """``{group: {unit: Eddington.as_json()}}`` for every group (overall, ride, run) and unit."""
    items = list(facts)
    report: dict[str, dict[str, dict[str, int]]] = {}
    for group in GROUPS:
        days: Mapping[date, float] = daily_totals(items, group)
        report[group] = {
            unit: eddington(days.values(), unit_m).as_json() for unit, unit_m in UNITS.items()
        }
    return report
