"""Scheduling what happens to an activity after upload: edits (with or without a webhook event)
and maybe a deletion. Rates are per activity, multiplied by ``churn``; times are epoch seconds."""

from __future__ import annotations

import random
from typing import Any

from stravasync.simulator.content.model import AthleteProfile, Edit
from stravasync.simulator.content.sports import CUSTOM_NAMES, RETYPE, Sport, legacy_type

# What an athlete can change after upload (the edit page, a crop, a gear or privacy change).
EDITABLE = frozenset(
    {
        "name",
        "description",
        "type",
        "sport_type",
        "workout_type",
        "gear_id",
        "private",
        "visibility",
        "commute",
        "trainer",
        "hide_from_home",
        "distance",
        "moving_time",
        "elapsed_time",
    }
)

DESCRIPTIONS = [
    "Legs felt good.",
    "Windy out there!",
    "With the club",
    "Intervals: 5x5'",
    'Felt rough, "easy" day',
    "New route, will repeat",
    "Sick of the rain",
]


def schedule_edits(
    rng: random.Random,
    base: dict[str, Any],
    sport: Sport,
    p: AthleteProfile,
    visible: int,
    churn: float,
) -> tuple[tuple[Edit, ...], int | None]:
    edits: list[Edit] = []

    def later(mean: float) -> int:
        return visible + 30 + int(rng.expovariate(1 / mean))

    if rng.random() < 0.15 * churn:
        title = rng.choice(CUSTOM_NAMES)
        edits.append(Edit(later(2400), {"name": title}, {"title": title}))
    if rng.random() < 0.03 * churn:
        new = RETYPE.get(sport.sport_type, "Workout")
        edits.append(
            Edit(
                later(3 * 3600),
                {"sport_type": new, "type": legacy_type(new)},
                {"type": legacy_type(new)},
            )
        )
    if rng.random() < 0.03 * churn:
        if base["visibility"] == "only_me":
            fields: dict[str, Any] = {"visibility": "everyone", "private": False}
            edits.append(Edit(later(6 * 3600), fields, {"private": "false"}))
        else:
            fields = {"visibility": "only_me", "private": True}
            edits.append(Edit(later(6 * 3600), fields, {"private": "true"}))
    if rng.random() < 0.10 * churn:
        edits.append(Edit(later(5 * 3600), {"description": rng.choice(DESCRIPTIONS)}, None))
    gear_pool = p.bikes if sport.family == "ride" else p.shoes if sport.family == "run" else ()
    if len(gear_pool) > 1 and rng.random() < 0.04 * churn:
        edits.append(Edit(later(86400), {"gear_id": rng.choice(gear_pool).id}, None))
    if base["distance"] > 0 and rng.random() < 0.02 * churn:
        cut = rng.uniform(0.9, 0.98)
        edits.append(
            Edit(
                later(3600),
                {
                    "distance": round(base["distance"] * cut, 1),
                    "moving_time": int(base["moving_time"] * cut),
                    "elapsed_time": int(base["elapsed_time"] * cut),
                },
                None,
            )
        )
    if sport.family in ("run", "ride") and rng.random() < 0.05 * churn:
        code = 1 if sport.family == "run" else 11
        edits.append(Edit(later(2 * 86400), {"workout_type": code}, None))
    deleted = later(2 * 86400) if rng.random() < 0.015 * churn else None
    edits.sort(key=lambda e: e.at)
    if deleted is not None:
        edits = [e for e in edits if e.at < deleted]
    return tuple(edits), deleted
