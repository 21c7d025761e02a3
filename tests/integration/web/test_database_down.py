"""With the database unreachable, every route answers 503 (a Problem for JSON, a short page for
HTML), never a 500 or a stack trace; when it is back, the service answers again and nothing
stored changed. SQLite: the file is moved away (a directory takes its place); PostgreSQL: the
database stops accepting connections and its sessions are ended."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stravasync.store import Database
from tests.integration.web.hostile import (
    assert_problem,
    headers_for,
    live_app,
    populate,
    snapshot,
)

JSON_ROUTES = [
    ("GET", "/api/admin/athletes", None),
    ("GET", "/api/admin/athletes/101", None),
    ("POST", "/api/admin/athletes/101/sync", {"mode": "incremental"}),
    ("POST", "/api/admin/scheduler/pause", None),
    ("GET", "/api/admin/quota", None),
    ("GET", "/api/admin/dead-letters", None),
    ("GET", "/api/admin/logs", None),
    ("GET", "/api/athletes/101/activities", None),
    ("GET", "/api/activities/5000", None),
    ("PUT", "/api/activities/5000/annotations", {"annotations": {"k": "v"}}),
]
HTML_ROUTES = ["/admin", "/admin/athletes/101", "/connect"]


@contextmanager
def sqlite_down(db_url: str) -> Iterator[None]:
    path = Path(make_url(db_url).database or "")
    aside = path.with_suffix(".aside")
    path.rename(aside)
    moved = []
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            side.rename(Path(str(aside) + suffix))
            moved.append(suffix)
    path.mkdir()  # "unable to open database file", as with a lost volume
    try:
        yield
    finally:
        path.rmdir()
        aside.rename(path)
        for suffix in moved:
            Path(str(aside) + suffix).rename(Path(str(path) + suffix))


@contextmanager
def postgres_down(db_url: str) -> Iterator[None]:
    name = make_url(db_url).database
    admin = create_engine(make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def test_every_route_answers_503_while_the_database_is_down(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    populate(db)
    before = snapshot(db)
    down: Callable[[str], object] = sqlite_down if db.is_sqlite else postgres_down
    with (
        live_app(
            db,
            db_url,
            client_id="4711",
            client_secret="app-secret-for-tests",
            key_file=tmp_path / "secret.key",
        ) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        assert http.get("/api/admin/athletes", headers=headers_for("/api/admin")).status_code == 200
        db.engine.dispose()  # pooled SQLite connections keep the old file open
        with down(db_url):  # type: ignore[attr-defined]
            for method, path, body in JSON_ROUTES:
                resp = http.request(method, path, headers=headers_for(path), json=body)
                problem = assert_problem(resp, 503)
                assert problem["error"] == "unavailable"
                assert "database" in problem["detail"]
                assert resp.headers["Retry-After"].isdigit()
            for path in HTML_ROUTES:
                resp = http.get(path, headers=headers_for(path), follow_redirects=False)
                assert resp.status_code == 503, (path, resp.status_code, resp.text[:300])
                assert resp.headers["content-type"].startswith("text/html")
                assert "Traceback" not in resp.text and "sqlalchemy" not in resp.text.lower()
                assert "try again" in resp.text
            ready = http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["status"] == "not_ready"
            event = {
                "object_type": "activity",
                "object_id": 5000,
                "aspect_type": "update",
                "owner_id": 101,
                "subscription_id": 4242,
                "event_time": 1_700_000_000,
            }
            assert_problem(http.post("/webhooks/strava", json=event), 503)
        db.engine.dispose()
        back = http.get("/api/admin/athletes", headers=headers_for("/api/admin"))
        assert back.status_code == 200
        assert len(back.json()) == 3
    assert snapshot(db) == before
    assert os.path.isfile(make_url(db_url).database or "") or not db.is_sqlite
