"""Upserts are batched, idempotent, and identical in effect on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.driver import bind_processor
from stravasync.store.people.athletes import get_athlete, overview, set_status, upsert_athlete
from stravasync.store.schema import activity_annotations as annotations
from stravasync.store.schema import athletes
from stravasync.store.upsert import BATCH_ROWS, driver_upsert, upsert_rows

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def _rows(n: int, suffix: str) -> list[dict[str, object]]:
    return [
        {"activity_id": i, "key": "event", "value": f"race {i} {suffix}", "updated_at": NOW}
        for i in range(n)
    ]


def test_upsert_inserts_then_updates_in_batches(db: Database) -> None:
    n = BATCH_ROWS * 2 + 7
    with db.transaction() as conn:
        assert upsert_rows(conn, annotations, _rows(n, "a"), key=["activity_id", "key"]) == n
    with db.transaction() as conn:
        upsert_rows(conn, annotations, _rows(n, "b"), key=["activity_id", "key"])
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(annotations)).scalar_one() == n
        values = set(conn.execute(select(annotations.c.value)).scalars())
    assert all(v.endswith(" b") for v in values)


def test_insert_only_upsert_leaves_existing_rows(db: Database) -> None:
    with db.transaction() as conn:
        upsert_rows(conn, annotations, _rows(3, "first"), key=["activity_id", "key"])
        upsert_rows(conn, annotations, _rows(5, "second"), key=["activity_id", "key"], update=())
    with db.engine.connect() as conn:
        rows = dict(conn.execute(select(annotations.c.activity_id, annotations.c.value)).all())
    assert rows[0] == "race 0 first"
    assert rows[4] == "race 4 second"


def test_reconnect_reactivates_and_keeps_created_at(db: Database) -> None:
    later = NOW.replace(hour=12)
    with db.transaction() as conn:
        upsert_athlete(conn, athlete_id=7, profile={"firstname": "Ada"}, scopes="read", now=NOW)
        set_status(conn, 7, "deauthorized", reason="revoked", now=NOW)
    with db.transaction() as conn:
        upsert_athlete(
            conn,
            athlete_id=7,
            profile={"firstname": "Ada", "lastname": "L"},
            scopes="read,activity:read_all",
            now=later,
        )
    with db.engine.connect() as conn:
        row = get_athlete(conn, 7)
        assert row is not None
        assert row["status"] == "active"
        assert row["created_at"] == NOW
        assert row["updated_at"] == later
        assert row["scopes"] == "read,activity:read_all"
        (only,) = overview(conn)
        assert conn.execute(select(func.count()).select_from(athletes)).scalar_one() == 1
    assert only.name == "Ada L"
    assert only.due_at == NOW  # the sync_state row made on first connect is kept
    assert only.activity_count == 0


def test_times_come_back_aware_utc(db: Database) -> None:
    with db.transaction() as conn:
        upsert_athlete(conn, athlete_id=1, profile={}, scopes="", now=NOW)
    with db.engine.connect() as conn:
        row = get_athlete(conn, 1)
    assert row is not None
    assert row["connected_at"] == NOW
    assert row["connected_at"].tzinfo is not None


def test_driver_upsert_takes_tuples_in_the_order_asked_for(db: Database) -> None:
    columns = ("value", "updated_at", "key", "activity_id")  # not the table's order
    later = NOW.replace(hour=12)
    with db.transaction() as conn:
        upsert = driver_upsert(conn, annotations, columns, key=["activity_id", "key"])
        when = bind_processor(conn.dialect, annotations.c.updated_at)
        upsert.run(conn, [(f"v{i}", when(NOW), "event", i) for i in range(BATCH_ROWS + 3)])
        upsert.run(conn, [("changed", when(later), "event", 1)])
    with db.engine.connect() as conn:
        rows = {
            r.activity_id: (r.value, r.updated_at) for r in conn.execute(select(annotations)).all()
        }
    assert len(rows) == BATCH_ROWS + 3
    assert rows[0] == ("v0", NOW)
    assert rows[1] == ("changed", later)
