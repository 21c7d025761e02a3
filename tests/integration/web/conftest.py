"""Fixtures for the service's tests: an app over the ``db`` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stravasync.clock import VirtualClock
from stravasync.config import Settings, load_settings
from stravasync.store import Database
from stravasync.store.mirror import activities as acts
from stravasync.store.operator import admin as admin_q
from stravasync.store.people import athletes as athlete_q
from stravasync.sync.settings import WEBHOOK_SUBSCRIPTION_KEY
from stravasync.web.app import create_app
from stravasync.web.context import Services

ADMIN = "admin-token-for-tests-7f3a"
API = "api-key-for-tests-91bc"
CRON = "cron-secret-for-tests-22de"
VERIFY = "verify-token-for-tests-5e1"
NOTIFY = "notify-secret-for-tests-a0a"
SECRETS = (ADMIN, API, CRON, VERIFY, NOTIFY)
SUBSCRIPTION = 4242
START = datetime(2026, 3, 2, 9, 7, tzinfo=UTC)  # not on a window boundary (budget guard)


def sqlite_copy(tmp_path: Path, template: Path) -> str:
    """A fresh SQLite database at head (a copy of the session's migrated template)."""
    path = tmp_path / "web.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def make_settings(db_url: str, **extra: Any) -> Settings:
    secrets = {
        "admin_token": ADMIN,
        "api_key": API,
        "cron_secret": CRON,
        "webhook_verify_token": VERIFY,
        "notify_secret": NOTIFY,
    }
    return load_settings(database_url=db_url, **(secrets | extra))


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN}"}


def api_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {API}"}


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def client(db: Database, db_url: str, clock: VirtualClock) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url), db, clock=clock, services=Services(stats=fake_stats))
    with TestClient(app) as c:
        yield c


def fake_stats(conn: Any, athlete_id: int) -> dict[str, Any]:
    """A stats document of the right shape that no store could produce (a negative count)."""
    from stravasync.stats.compute import compute_stats

    return compute_stats(athlete_id, [], None) | {"activity_count": -1}


def subscribe(db: Database, now: datetime = START) -> None:
    with db.transaction() as conn:
        admin_q.put_setting(conn, WEBHOOK_SUBSCRIPTION_KEY, SUBSCRIPTION, now=now)


def add_athlete(db: Database, athlete_id: int, now: datetime = START, **profile: Any) -> None:
    with db.transaction() as conn:
        athlete_q.upsert_athlete(
            conn,
            athlete_id=athlete_id,
            profile={"firstname": "Ada", "lastname": f"L{athlete_id}", **profile},
            scopes="read,activity:read_all",
            now=now,
        )


def activity(
    act_id: int, *, days_ago: float, sport: str = "Ride", km: float = 20
) -> dict[str, Any]:
    start = START - timedelta(days=days_ago)
    return {
        "id": act_id,
        "name": f"act {act_id}",
        "sport_type": sport,
        "type": sport,
        "start_date": start.isoformat().replace("+00:00", "Z"),
        "start_date_local": start.replace(tzinfo=None).isoformat(),
        "distance": km * 1000,
        "moving_time": 3600,
        "elapsed_time": 3700,
    }


def add_activities(db: Database, athlete_id: int, raws: list[dict[str, Any]]) -> None:
    with db.transaction() as conn:
        acts.apply_summaries(conn, athlete_id, raws, START)
