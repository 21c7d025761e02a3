"""Summaries with unexpected JSON types are stored whole; only the typed columns go NULL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.mirror.activities import apply_summaries, live_summaries
from stravasync.store.schema import activities

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def test_wrong_types_become_null_columns_and_the_raw_json_is_kept(db: Database) -> None:
    odd = {
        "id": 77,
        "athlete": {"id": 1},
        "name": 12345,
        "distance": "far",
        "moving_time": 1.5e3,
        "trainer": "yes",
        "workout_type": True,
        "start_date": "not a date",
        "sport_type": "Pickleball",
        "kudos_count": None,
        "brand_new_field": {"nested": [1, 2]},
    }
    with db.transaction() as conn:
        result = apply_summaries(conn, 1, [odd], NOW)
    assert result.created == [77]
    with db.engine.connect() as conn:
        row = conn.execute(select(activities).where(activities.c.id == 77)).mappings().one()
        stored = live_summaries(conn, 1)[77]
    assert row["name"] is None and row["distance"] is None and row["trainer"] is None
    assert row["workout_type"] is None and row["start_date"] is None
    assert row["moving_time"] == 1500
    assert row["sport_type"] == "Pickleball"  # unknown sport types are kept as they are
    assert stored == odd  # nothing lost: the raw summary is stored as received
