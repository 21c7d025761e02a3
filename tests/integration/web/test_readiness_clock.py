"""/readyz and a process clock that disagrees with PostgreSQL's (issue 25)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from stravasync.clock import Clock, RealClock, ScaledClock, utcnow
from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.web.app import create_app
from tests.integration.web.conftest import sqlite_copy


def _ready(url: str, clock: Clock) -> tuple[int, dict[str, object]]:
    db = Database.open(url, upgrade=False)
    try:
        app = create_app(load_settings(database_url=url, ready_min_free_mb=0), db, clock=clock)
        with TestClient(app) as client:
            resp = client.get("/readyz")
            return resp.status_code, resp.json()
    finally:
        db.close()


def test_a_clock_an_hour_ahead_of_postgres_is_not_ready_with_the_offset(pg_url: str) -> None:
    code, body = _ready(pg_url, ScaledClock(utcnow() + timedelta(hours=1), time.time(), 1.0))
    assert code == 503, body
    assert body["status"] == "not_ready" and body["database"] == "ok"
    reason = str(body["reason"])
    assert "s ahead of the database's" in reason and "CLOCK_SKEW_TOLERANCE=5" in reason
    assert 3590 < float(reason.split("clock is ")[1].split(" s ")[0]) < 3610
    behind = _ready(pg_url, ScaledClock(utcnow() - timedelta(seconds=30), time.time(), 1.0))
    assert behind[0] == 503 and "behind the database's" in str(behind[1]["reason"])


def test_agreeing_and_virtual_time_clocks_are_ready(pg_url: str) -> None:
    assert _ready(pg_url, RealClock())[0] == 200
    # a demo's scaled clock runs its own time: its wall clock is what is compared
    virtual = ScaledClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC), time.time(), 60.0)
    assert _ready(pg_url, virtual)[0] == 200


def test_sqlite_has_no_other_clock_to_disagree_with(tmp_path: Path, sqlite_template: Path) -> None:
    url = sqlite_copy(tmp_path, sqlite_template)  # one machine's file: one machine's clock
    assert _ready(url, ScaledClock(utcnow() + timedelta(hours=1), time.time(), 1.0))[0] == 200
