"""Filters: a deployment mirroring only races drops rows that stop matching after an edit, and
local annotations survive a full re-sync (restored by activity id)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.schema import activities, activity_annotations
from stravasync.store.upsert import upsert_rows
from stravasync.sync import mirror
from stravasync.sync.config import ActivityFilter, EngineConfig

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
RACES = EngineConfig(
    filter=ActivityFilter(sport_types=frozenset({"Run"}), workout_types=frozenset({1}))
)


def summary(act_id: int, *, sport: str = "Run", workout: int | None = 1) -> dict[str, object]:
    return {
        "id": act_id,
        "name": f"act {act_id}",
        "sport_type": sport,
        "type": sport,
        "workout_type": workout,
        "start_date": "2026-05-30T07:00:00Z",
        "start_date_local": "2026-05-30T09:00:00Z",
        "distance": 10000.0,
        "athlete": {"id": 1},
    }


def _ids(db: Database) -> set[int]:
    with db.engine.connect() as conn:
        return set(conn.execute(select(activities.c.id)).scalars())


def test_only_matching_activities_are_mirrored(db: Database) -> None:
    with db.transaction() as conn:
        mirror.apply_listing(
            conn,
            RACES,
            1,
            [summary(1), summary(2, workout=0), summary(3, sport="Ride", workout=11)],
            NOW,
        )
    assert _ids(db) == {1}


def test_an_edit_that_stops_matching_removes_the_row_but_keeps_annotations(db: Database) -> None:
    with db.transaction() as conn:
        mirror.apply_listing(conn, RACES, 1, [summary(1), summary(2)], NOW)
        upsert_rows(
            conn,
            activity_annotations,
            [{"activity_id": 2, "key": "event_name", "value": "City 10k", "updated_at": NOW}],
            key=["activity_id", "key"],
        )
    with db.transaction() as conn:  # the athlete un-marks activity 2 as a race
        mirror.apply_listing(conn, RACES, 1, [summary(1), summary(2, workout=0)], NOW)
    assert _ids(db) == {1}
    with db.transaction() as conn:  # marked a race again: back, and its annotation with it
        mirror.apply_listing(conn, RACES, 1, [summary(2)], NOW)
    assert _ids(db) == {1, 2}
    with db.engine.connect() as conn:
        notes = (
            conn.execute(
                select(activity_annotations.c.value).where(activity_annotations.c.activity_id == 2)
            )
            .scalars()
            .all()
        )
    assert notes == ["City 10k"]


def test_a_full_resync_never_overwrites_annotations(db: Database) -> None:
    everything = EngineConfig()
    with db.transaction() as conn:
        mirror.apply_listing(conn, everything, 1, [summary(5)], NOW)
        upsert_rows(
            conn,
            activity_annotations,
            [{"activity_id": 5, "key": "event_name", "value": "Club champs", "updated_at": NOW}],
            key=["activity_id", "key"],
        )
    changed = dict(summary(5), name="Renamed on Strava")
    with db.transaction() as conn:
        result = mirror.apply_listing(conn, everything, 1, [changed], NOW)
    assert result.updated == [5]
    with db.engine.connect() as conn:
        row = conn.execute(select(activities.c.name)).scalar_one()
        note = conn.execute(select(activity_annotations.c.value)).scalar_one()
    assert (row, note) == ("Renamed on Strava", "Club champs")
