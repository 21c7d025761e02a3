"""503s say when to come back, and readiness does not wait on a held SQLite write lock (issue 25):
``POST /webhooks/strava`` and ``/readyz`` carry ``Retry-After`` as docs/service.md says; with
another connection holding SQLite's write lock, ``/readyz`` answers not ready within seconds
(before: it waited the 30 s busy timeout, or said ready while every write queued)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.store.schema import app_settings
from stravasync.web.app import create_app
from stravasync.web.health import READINESS_PROBE_KEY, READY_LOCK_TIMEOUT_MS
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import SUBSCRIPTION, make_settings, sqlite_copy

EVENT = {
    "object_type": "activity",
    "object_id": 1,
    "aspect_type": "create",
    "owner_id": 2,
    "subscription_id": SUBSCRIPTION,
    "event_time": 3,
    "updates": {},
}


def test_webhook_and_readyz_503s_carry_retry_after(empty_db_url: str) -> None:
    db = Database.open(empty_db_url, upgrade=False)  # no tables: every write fails
    try:
        app = create_app(load_settings(database_url=empty_db_url), db)
        with TestClient(app) as client:
            hook = client.post("/webhooks/strava", json=EVENT)
            ready = client.get("/readyz")
    finally:
        db.close()
    assert hook.status_code == 503
    assert int(hook.headers["retry-after"]) > 0
    assert ready.status_code == 503
    assert int(ready.headers["retry-after"]) > 0


def test_readyz_fails_fast_while_the_sqlite_write_lock_is_held(
    tmp_path: Path, sqlite_template: Path
) -> None:
    url = sqlite_copy(tmp_path, sqlite_template)
    db = Database.open(url, upgrade=False)
    try:
        app = create_app(make_settings(url, ready_min_free_mb=0), db)
        with serve_in_thread(app) as base:
            assert httpx.get(base + "/readyz").status_code == 200
            holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
            try:
                began = time.monotonic()
                locked = httpx.get(base + "/readyz", timeout=60)
                took = time.monotonic() - began
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            again = httpx.get(base + "/readyz")
    finally:
        db.close()
    assert locked.status_code == 503, locked.text
    body = locked.json()
    assert (body["status"], body["database"]) == ("not_ready", "locked")
    assert "write lock" in body["reason"]
    assert int(locked.headers["retry-after"]) > 0
    assert READY_LOCK_TIMEOUT_MS / 1000 <= took < 10
    assert again.status_code == 200


@pytest.mark.postgres
def test_readyz_fails_fast_while_postgres_holds_the_probe_row(pg_url: str) -> None:
    db = Database.open(pg_url, upgrade=False)
    try:
        app = create_app(make_settings(pg_url, ready_min_free_mb=0), db)
        with serve_in_thread(app) as base:
            assert httpx.get(base + "/readyz").status_code == 200  # the probe row exists now
            with db.engine.connect() as holder:
                holder.execute(
                    select(app_settings).where(app_settings.c.key == READINESS_PROBE_KEY)
                    .with_for_update()
                )  # fmt: skip
                began = time.monotonic()
                locked = httpx.get(base + "/readyz", timeout=60)
                took = time.monotonic() - began
                holder.rollback()
            again = httpx.get(base + "/readyz")
    finally:
        db.close()
    assert locked.status_code == 503, locked.text
    assert locked.json()["database"] == "locked"
    assert int(locked.headers["retry-after"]) > 0
    assert took < 10
    assert again.status_code == 200
