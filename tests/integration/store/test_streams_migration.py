"""Migration 0011 moves ``activity_details.streams_json`` into ``activity_streams`` and back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql

from stravasync.store import Database, read_streams
from stravasync.store.migrate import alembic_config, current_revision, upgrade

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
_json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_activities = sa.table(
    "activities",
    sa.column("id", sa.BigInteger),
    sa.column("athlete_id", sa.BigInteger),
    sa.column("first_seen", sa.DateTime),
    sa.column("last_confirmed", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)
_details = sa.table(
    "activity_details",
    sa.column("activity_id", sa.BigInteger),
    sa.column("streams_json", _json),
    sa.column("fetched_at", sa.DateTime),
)


def _strava_answer(n: int) -> dict[str, Any]:
    meta = {"series_type": "distance", "original_size": n, "resolution": "high"}
    data: dict[str, list[Any]] = {
        "time": list(range(n)),
        "latlng": [[45.0 + i * 1e-5, 7.123456 - i * 2e-6] for i in range(n)],
        "distance": [round(i * 3.1, 1) for i in range(n)],
        "altitude": [round(300 + (i % 50) * 0.2, 1) for i in range(n)],
        "velocity_smooth": [round(3 + (i % 7) * 0.01, 2) for i in range(n)],
        "heartrate": [120 + i % 40 for i in range(n)],
        "moving": [i % 9 != 0 for i in range(n)],
        "grade_smooth": [round((i % 11) * 0.1 - 0.5, 1) for i in range(n)],
    }
    return {key: {"data": values, **meta} for key, values in data.items()}


def _downgrade(db: Database, revision: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_streams_move_to_their_table_and_back(empty_db_url: str) -> None:
    db = Database.open(empty_db_url, upgrade=False)
    try:
        upgrade(db.engine, "0009")
        answer = _strava_answer(1200)
        naive = NOW.replace(tzinfo=None)
        with db.engine.begin() as conn:
            for act, ath in ((11, 1), (12, 1), (13, 2)):
                conn.execute(
                    _activities.insert().values(
                        id=act,
                        athlete_id=ath,
                        first_seen=naive,
                        last_confirmed=naive,
                        updated_at=naive,
                    )
                )
            conn.execute(
                _details.insert().values(activity_id=11, streams_json=answer, fetched_at=naive)
            )
            conn.execute(
                _details.insert().values(activity_id=12, streams_json=None, fetched_at=naive)
            )
            short = {"time": {"data": [0, 1], "series_type": "time"}}
            conn.execute(
                _details.insert().values(activity_id=13, streams_json=short, fetched_at=naive)
            )

        assert upgrade(db.engine) == current_revision(db.engine)
        assert "streams_json" not in {
            c["name"] for c in inspect(db.engine).get_columns("activity_details")
        }
        with db.engine.connect() as conn:
            assert read_streams(conn, 11) == {k: v["data"] for k, v in answer.items()}
            assert read_streams(conn, 12) is None
            assert read_streams(conn, 13) == {"time": [0, 1]}
            owners = dict(
                conn.execute(sa.text("SELECT activity_id, athlete_id FROM activity_streams")).all()
            )
        assert owners == {11: 1, 13: 2}

        _downgrade(db, "0009")
        assert "activity_streams" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            back = dict(
                conn.execute(sa.select(_details.c.activity_id, _details.c.streams_json)).all()
            )
        assert back[11] == answer
        assert back[12] is None
        assert back[13] == {
            "time": {
                "data": [0, 1],
                "series_type": "time",
                "original_size": None,
                "resolution": None,
            }
        }
    finally:
        db.close()
