"""Milestones from a stats document: stable keys, the highest yearly threshold only."""

from __future__ import annotations

from stravasync.stats.milestones import milestones


def test_eddington_and_the_highest_yearly_threshold() -> None:
    stats = {
        "eddington": {"overall": {"km": {"number": 42}}},
        "rollups": {
            "yearly": [
                {"period": "2026", "sport": "Ride", "distance_m": 1_800_000.0},
                {"period": "2026", "sport": "Run", "distance_m": 450_000.0},
                {"period": "2025", "sport": "Ride", "distance_m": 9_000_000.0},
            ]
        },
    }
    found = milestones(7, stats, year=2026, step_km=1000)
    assert [m.key for m in found] == [
        "milestone:7:eddington:km:42",
        "milestone:7:distance:2026:2000",
    ]
    assert found[1].payload["distance_km"] == 2250.0
    assert milestones(7, {}, year=2026, step_km=1000) == []  # nothing yet, nothing sent
    assert [m.key for m in milestones(7, stats, year=2024, step_km=1000)] == [
        "milestone:7:eddington:km:42"
    ]
