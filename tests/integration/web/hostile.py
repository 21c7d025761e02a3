"""Helpers for the hostile-input tests: a real server over a populated store, the right token
for each route, the Problem shape, and a snapshot of every stored row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from stravasync.clock import Clock, VirtualClock
from stravasync.store import Database
from stravasync.store.people import me
from stravasync.store.schema import metadata
from stravasync.web.app import create_app
from stravasync.web.auth import AttemptLimiter
from stravasync.web.context import Services
from tests.e2e.web_helpers import seed_demo, serve_in_thread
from tests.integration.web.conftest import ADMIN, API, CRON, START, make_settings, subscribe

ME_TTL = timedelta(days=30)
INT64_MAX = 2**63 - 1
ME_SECRET = "athlete-101-session-secret"
ME_CSRF = "athlete-101-csrf-token"
BAD_IDS = ("0", "-1", str(INT64_MAX + 1), str(2**70), "1e3", "abc", "9" * 400)


def headers_for(path: str) -> dict[str, str]:
    """The token a route's realm wants (the dashboard takes the admin token as Bearer; the
    athlete's pages, athlete 101's session opened by :func:`populate`)."""
    if path == "/me" or path.startswith("/me/"):
        return {"Cookie": f"stravasync_me={ME_SECRET}", "X-CSRF-Token": ME_CSRF}
    if path.startswith("/api/admin") or path.startswith("/admin"):
        return {"Authorization": f"Bearer {ADMIN}"}
    if path.startswith("/api/cron"):
        return {"Authorization": f"Bearer {CRON}"}
    if path.startswith("/api/"):
        return {"Authorization": f"Bearer {API}"}
    return {}


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order (to show a request changed nothing)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def assert_problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, (resp.request.url, resp.status_code, resp.text[:300])
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body: dict[str, Any] = resp.json()
    assert set(body) == {"error", "detail"}, body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def populate(db: Database) -> None:
    """Three athletes with activities, sessions, logs, quota, a dead notification, a webhook
    subscription: every route has something real to read."""
    seed_demo(db, START)
    subscribe(db)
    with db.transaction() as conn:  # athlete 101 signed in at /me
        me.open_session(
            conn, ME_SECRET, athlete_id=101, csrf=ME_CSRF, now=START, expires_at=START + ME_TTL
        )


@contextmanager
def live_app(
    db: Database, db_url: str, *, clock: Clock | None = None, **settings: Any
) -> Iterator[str]:
    """A real uvicorn server on the database (a generous failed-attempt limiter, so token
    mistakes in a long run never turn answers into 429)."""
    app = create_app(
        make_settings(db_url, **settings),
        db,
        clock=clock or VirtualClock(START),
        services=Services(),
        limiter=AttemptLimiter(max_failures=1_000_000),
    )
    with serve_in_thread(app) as base:
        yield base
