"""Athlete milestones from a stats document: a new Eddington number, a yearly distance step.

Pure: the stats (:func:`stravasync.stats.compute.compute_stats`) and the year come in; the
milestones reached go out, each with a stable key so the outbox sends it once however often the
stats are recomputed. Only the current state counts (the overall Eddington number in km, the
highest ``step_km`` threshold of ``year``), so a first backfill sends one of each, not every
threshold of a decade.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Milestone:
    key: str  # stable: the notification's idempotency key
    payload: dict[str, Any]


def _year_km(stats: dict[str, Any], year: int) -> float:
    rows = (stats.get("rollups") or {}).get("yearly") or []
    metres = sum(
        float(r.get("distance_m") or 0.0) for r in rows if str(r.get("period", "")) == str(year)
    )
    return metres / 1000.0


def milestones(
    athlete_id: int, stats: dict[str, Any], *, year: int, step_km: int
) -> list[Milestone]:
    out: list[Milestone] = []
    overall = ((stats.get("eddington") or {}).get("overall") or {}).get("km") or {}
    number = int(overall.get("number") or 0)
    if number > 0:
        out.append(
            Milestone(
                f"milestone:{athlete_id}:eddington:km:{number}",
                {"athlete_id": athlete_id, "kind": "eddington", "unit": "km", "number": number},
            )
        )
    km = _year_km(stats, year)
    reached = int(km // step_km) * step_km if step_km > 0 else 0
    if reached > 0:
        out.append(
            Milestone(
                f"milestone:{athlete_id}:distance:{year}:{reached}",
                {
                    "athlete_id": athlete_id,
                    "kind": "yearly_distance",
                    "year": year,
                    "threshold_km": reached,
                    "distance_km": round(km, 1),
                },
            )
        )
    return out
