"""apply_summaries writes through the driver: the stored rows must be SQLAlchemy's, to the byte.

Each test runs on SQLite and PostgreSQL. The reference is the plain SQLAlchemy path (dict rows
through ``upsert_rows``) into a copy of the activities table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection, select

from stravasync.store import Database
from stravasync.store.mirror.activities import (
    NEVER_CONFIRMED,
    apply_event_fields,
    apply_summaries,
    live_summaries,
    newest_start,
    tombstone,
    unconfirmed_since,
)
from stravasync.store.mirror.summaries import _typed, summary_of
from stravasync.store.schema import activities
from stravasync.store.upsert import upsert_rows

NOW = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)
LATER = NOW + timedelta(hours=1, microseconds=250)


def _summary(act_id: int, **over: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "resource_state": 2,
        "athlete": {"id": 1, "resource_state": 1},
        "name": 'Morning Run ☀ "quoted"',
        "distance": 5832.5,
        "moving_time": 2258,
        "elapsed_time": 2889,
        "total_elevation_gain": 67,
        "type": "Run",
        "sport_type": "Run",
        "workout_type": 0,
        "id": act_id,
        "start_date": "2026-02-26T04:34:16Z",
        "start_date_local": "2026-02-26T05:34:16Z",
        "timezone": "(GMT+01:00) Europe/Berlin",
        "utc_offset": 3600,
        "kudos_count": 3,
        "comment_count": 0,
        "achievement_count": 0,
        "pr_count": 0,
        "map": {"id": f"a{act_id}", "summary_polyline": "u{~vF", "resource_state": 2},
        "trainer": False,
        "commute": True,
        "manual": False,
        "private": False,
        "visibility": "everyone",
        "gear_id": None,
        "start_latlng": [48.85, 2.35],
        "average_speed": 2.583,
        "max_speed": 4.276,
        "average_heartrate": None,
        "kilojoules": 412.0,
    }
    raw.update(over)
    return raw


def _variety() -> list[dict[str, Any]]:
    detailed = _summary(6, resource_state=3, description="long", calories=300.0, laps=[{}])
    detailed["map"] = {"id": "a6", "polyline": "abc", "summary_polyline": "a", "resource_state": 3}
    return [
        _summary(1),
        _summary(2, start_date="2026-02-26T05:34:16.123456+01:00", start_date_local="x"),
        _summary(3, name=12345, distance="far", moving_time=1.5e3, trainer="yes", pr_count=True),
        _summary(4, start_date="2026-02-26T04:34:16", kudos_count=None, brand_new={"n": [1]}),
        _summary(5, distance=10**20, elapsed_time=7.9, utc_offset=-18000.0, emoji="🚴‍♀️"),
        detailed,
        {"id": 7, "resource_state": 2},
    ]


@pytest.fixture
def reference(db: Database) -> Iterator[sa.Table]:
    table = activities.to_metadata(sa.MetaData(), name="reference_activities")
    for index in table.indexes:
        index.name = sa.sql.elements.quoted_name(f"reference_{index.name}", None)
    table.primary_key.name = sa.sql.elements.quoted_name("pk_reference_activities", None)
    table.create(db.engine)
    yield table
    table.drop(db.engine)


def _sqlalchemy_apply(
    conn: Connection, table: sa.Table, raws: list[dict[str, Any]], now: datetime
) -> None:
    rows = []
    for raw in raws:
        summary = summary_of(raw)
        row = _typed(summary)
        row.update(id=raw["id"], athlete_id=1, summary_json=summary, source="api",
                   first_seen=now, last_confirmed=now, deleted_at=None, updated_at=now)  # fmt: skip
        rows.append(row)
    cols = [c for c in rows[0] if c not in ("id", "first_seen")]
    upsert_rows(conn, table, rows, key=["id"], update=cols)


def _stored(conn: Connection, table: str) -> list[tuple[Any, ...]]:
    """Every column as the database holds it: the driver's values, and each value's storage
    type on SQLite (text, real, integer) or JSONB's own text on PostgreSQL."""
    names = [c.name for c in activities.c]
    if conn.dialect.name == "sqlite":
        extra = [f"typeof({n})" for n in names]
    else:
        extra = ["summary_json::text"]
    sql = f"SELECT {', '.join(names + extra)} FROM {table} ORDER BY id"
    return [tuple(row) for row in conn.exec_driver_sql(sql)]


def test_rows_are_stored_as_the_sqlalchemy_path_stores_them(
    db: Database, reference: sa.Table
) -> None:
    raws = _variety()
    with db.transaction() as conn:
        assert sorted(apply_summaries(conn, 1, raws, NOW).created) == [1, 2, 3, 4, 5, 6, 7]
        _sqlalchemy_apply(conn, reference, raws, NOW)
    changed = [_summary(1, name="Evening Run"), _summary(3, kudos_count=9), _summary(5)]
    with db.transaction() as conn:
        apply_summaries(conn, 1, changed, LATER)
        _sqlalchemy_apply(conn, reference, changed, LATER)
    with db.engine.connect() as conn:
        ours = _stored(conn, "activities")
        theirs = _stored(conn, "reference_activities")
    assert len(ours) == 7
    assert ours == theirs


def test_rows_read_back_through_the_existing_queries(db: Database) -> None:
    raws = _variety()
    with db.transaction() as conn:
        apply_summaries(conn, 1, raws, NOW)
    with db.engine.connect() as conn:
        rows = {r["id"]: r for r in conn.execute(select(activities)).mappings()}
        assert live_summaries(conn, 1) == {r["id"]: summary_of(r) for r in raws}
        assert unconfirmed_since(conn, 1, NOW) == []
        assert sorted(unconfirmed_since(conn, 1, NOW + timedelta(microseconds=1))) == list(
            range(1, 8)
        )
        assert newest_start(conn, 1) == int(
            datetime(2026, 2, 26, 4, 34, 16, tzinfo=UTC).timestamp()
        )
    first = rows[1]
    assert first["start_date"] == datetime(2026, 2, 26, 4, 34, 16, tzinfo=UTC)
    assert first["start_date_local"] == datetime(2026, 2, 26, 5, 34, 16)
    assert first["first_seen"] == first["last_confirmed"] == first["updated_at"] == NOW
    assert first["deleted_at"] is None and first["source"] == "api"
    assert first["utc_offset"] == 3600.0 and first["total_elevation_gain"] == 67.0
    assert first["commute"] is True and first["trainer"] is False
    assert rows[2]["start_date"] == datetime(2026, 2, 26, 4, 34, 16, 123456, tzinfo=UTC)
    assert rows[2]["start_date_local"] is None
    odd = rows[3]
    assert odd["name"] is None and odd["distance"] is None and odd["trainer"] is None
    assert odd["pr_count"] is None and odd["moving_time"] == 1500
    assert rows[4]["start_date"] == datetime(2026, 2, 26, 4, 34, 16, tzinfo=UTC)  # naive: UTC
    assert rows[5]["distance"] == 1e20 and rows[5]["elapsed_time"] == 7
    assert rows[6]["summary_json"]["map"] == {
        "id": "a6",
        "summary_polyline": "a",
        "resource_state": 2,
    }
    assert "description" not in rows[6]["summary_json"]
    assert rows[7]["name"] is None and rows[7]["start_date"] is None


def test_each_summary_is_classified_by_what_changed(db: Database) -> None:
    with db.transaction() as conn:
        apply_summaries(conn, 1, [_summary(i) for i in range(1, 6)], NOW)
        tombstone(conn, [5], NOW)
    again = [
        _summary(1),
        _summary(2, kudos_count=4, has_kudoed=True),
        _summary(3, name="Renamed", kudos_count=5),
        _summary(4, gear_id="g1"),
        _summary(5),
        _summary(6),
    ]
    with db.transaction() as conn:
        result = apply_summaries(conn, 1, again, LATER)
    assert result.unchanged == 1
    assert result.social_only == [2]
    assert sorted(result.updated) == [3, 4]
    assert result.revived == [5]
    assert result.created == [6]
    with db.engine.connect() as conn:
        rows = {r["id"]: r for r in conn.execute(select(activities)).mappings()}
    assert rows[1]["last_confirmed"] == LATER and rows[1]["updated_at"] == NOW
    assert rows[2]["kudos_count"] == 4 and rows[2]["updated_at"] == LATER
    assert rows[3]["name"] == "Renamed" and rows[3]["first_seen"] == NOW
    assert rows[5]["deleted_at"] is None and rows[5]["updated_at"] == LATER
    assert rows[6]["first_seen"] == LATER


def test_a_summary_stored_with_its_keys_in_another_order_is_unchanged(db: Database) -> None:
    with db.transaction() as conn:
        apply_summaries(conn, 1, [_summary(1)], NOW)
        assert apply_event_fields(conn, 1, {"name": "Lunch Run"}, NOW)
    reordered = dict(reversed(list(_summary(1, name="Lunch Run").items())))
    with db.transaction() as conn:
        result = apply_summaries(conn, 1, [reordered], LATER)
    assert result.unchanged == 1 and not result.changed
    with db.engine.connect() as conn:
        row = conn.execute(select(activities).where(activities.c.id == 1)).mappings().one()
    assert row["last_confirmed"] == LATER and row["name"] == "Lunch Run"


def test_pages_longer_than_an_in_list_and_archive_rows(db: Database) -> None:
    raws = [_summary(i) for i in range(1, 2101)]
    with db.transaction() as conn:
        assert len(apply_summaries(conn, 1, raws, NOW, source="archive").created) == 2100
    with db.transaction() as conn:
        result = apply_summaries(conn, 1, raws, LATER)
    assert result.unchanged == 2100
    with db.engine.connect() as conn:
        counts = dict(
            conn.execute(
                select(activities.c.last_confirmed, sa.func.count()).group_by(
                    activities.c.last_confirmed
                )
            ).all()
        )
        source = set(conn.execute(select(activities.c.source)).scalars())
    assert counts == {LATER: 2100}
    assert source == {"archive"}  # an unchanged re-list only confirms


def test_archive_rows_are_not_confirmed(db: Database) -> None:
    with db.transaction() as conn:
        apply_summaries(conn, 1, [_summary(1)], NOW, source="archive")
    with db.engine.connect() as conn:
        row = conn.execute(select(activities)).mappings().one()
    assert row["last_confirmed"] == NEVER_CONFIRMED and row["source"] == "archive"
