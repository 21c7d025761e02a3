"""Rollups by ISO week / month / year and sport, races, records, and the whole document."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from stravasync.stats.compute import compute_stats
from stravasync.stats.facts import ActivityFacts
from stravasync.stats.rollups import iso_week, races, records, rollups


def fact(
    id: int,
    start: datetime,
    km: float,
    sport: str = "Ride",
    workout_type: int | None = None,
    elev: float = 0.0,
) -> ActivityFacts:
    return ActivityFacts(
        id=id,
        name=f"a{id}",
        sport=sport,
        workout_type=workout_type,
        start_local=start,
        distance_m=km * 1000,
        moving_time_s=int(km * 200),
        elapsed_time_s=int(km * 210),
        elevation_m=elev,
    )


def test_iso_week_crosses_year_boundary() -> None:
    assert iso_week(datetime(2026, 1, 1).date()) == "2026-W01"  # a Thursday
    assert iso_week(datetime(2027, 1, 1).date()) == "2026-W53"
    assert iso_week(datetime(2024, 12, 30).date()) == "2025-W01"


def test_rollups_by_period_and_sport() -> None:
    facts = [
        fact(1, datetime(2025, 12, 29, 8), 10, elev=100),  # ISO 2026-W01, month 2025-12
        fact(2, datetime(2026, 1, 2, 8), 20, elev=50),  # 2026-W01, 2026-01
        fact(3, datetime(2026, 1, 2, 18), 5, sport="Run"),
        fact(4, datetime(2026, 1, 5, 8), 30),  # 2026-W02
    ]
    r = rollups(facts)
    weekly = {(x["period"], x["sport"]): x for x in r["weekly"]}
    assert weekly[("2026-W01", "Ride")] == {
        "period": "2026-W01",
        "sport": "Ride",
        "count": 2,
        "distance_m": 30000.0,
        "moving_time_s": 6000,
        "elevation_m": 150.0,
    }
    assert weekly[("2026-W01", "Run")]["count"] == 1
    assert weekly[("2026-W02", "Ride")]["distance_m"] == 30000.0
    monthly = {(x["period"], x["sport"]): x["distance_m"] for x in r["monthly"]}
    assert monthly == {
        ("2025-12", "Ride"): 10000.0,
        ("2026-01", "Ride"): 50000.0,
        ("2026-01", "Run"): 5000.0,
    }
    yearly = [(x["period"], x["sport"], x["count"]) for x in r["yearly"]]
    assert yearly == [("2025", "Ride", 1), ("2026", "Ride", 2), ("2026", "Run", 1)]


def test_races_newest_first_only_race_codes() -> None:
    facts = [
        fact(1, datetime(2026, 1, 1, 8), 10, sport="Run", workout_type=1),
        fact(2, datetime(2026, 2, 1, 8), 40, workout_type=11),
        fact(3, datetime(2026, 3, 1, 8), 10, sport="Run", workout_type=2),  # long run
        fact(4, datetime(2026, 3, 1, 9), 10, workout_type=10),  # default ride
    ]
    assert [r["id"] for r in races(facts)] == [2, 1]


def test_records_per_group_and_ties_go_to_the_earliest() -> None:
    facts = [
        fact(1, datetime(2026, 1, 1, 8), 100, elev=900),
        fact(2, datetime(2026, 2, 1, 8), 100, elev=1500),  # tie on distance: 1 is earlier
        fact(3, datetime(2026, 3, 1, 8), 42.2, sport="Run", elev=200),
        fact(4, datetime(2026, 3, 2, 8), 0, sport="Yoga"),
    ]
    rec = records(facts)
    assert rec["ride"]["longest"]["id"] == 1
    assert rec["ride"]["biggest_climb"]["id"] == 2
    assert rec["run"]["longest"]["id"] == 3
    assert rec["overall"]["biggest_climb"]["id"] == 2
    assert records([fact(5, datetime(2026, 1, 1), 0, sport="Yoga")])["run"] == {
        "longest": None,
        "biggest_climb": None,
    }


def test_document_is_json_ready() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    doc = compute_stats(9, [fact(1, datetime(2026, 1, 1, 8), 12)], now)
    assert json.loads(json.dumps(doc)) == doc
    assert doc["athlete_id"] == 9
    assert doc["activity_count"] == 1
    assert doc["eddington"]["ride"]["km"]["number"] == 1
    assert doc["computed_at"] == now.isoformat()
    empty = compute_stats(9, [], None)
    assert empty["eddington"]["overall"]["miles"]["number"] == 0
    assert empty["rollups"] == {"weekly": [], "monthly": [], "yearly": []}
