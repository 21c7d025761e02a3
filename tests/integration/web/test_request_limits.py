"""Body limits and the credential before the body (web.limits), in process: what each request
gets, and that the route never saw a body it should not have read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.web.app import create_app
from stravasync.web.context import Services
from tests.integration.web.conftest import (
    add_athlete,
    admin_headers,
    api_headers,
    fake_stats,
    make_settings,
    sqlite_copy,
)


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Behaviour of the HTTP layer, not of storage: one backend is enough here."""
    return sqlite_copy(tmp_path, sqlite_template)


@pytest.fixture
def small(db: Database, db_url: str, clock: VirtualClock) -> Iterator[TestClient]:
    settings = make_settings(db_url, http_max_body_bytes=4096)
    app = create_app(settings, db, clock=clock, services=Services(stats=fake_stats))
    with TestClient(app) as c:
        yield c


def chunks(n: int, size: int = 1024) -> Iterator[bytes]:
    for _ in range(n):
        yield b"x" * size


def test_a_declared_size_over_the_limit_is_413_on_any_method(small: TestClient) -> None:
    for method, path in (("PUT", "/api/activities/1/annotations"), ("GET", "/healthz"),
                         ("POST", "/admin/login")):  # fmt: skip
        resp = small.request(method, path, content=b"x" * 5000, headers=api_headers())
        assert resp.status_code == 413, (method, path, resp.text)
        assert resp.headers["connection"] == "close"
    assert small.get("/admin/login", headers={"Content-Length": "5000"}).status_code == 413
    page = small.post("/admin/login", content=b"x" * 5000)
    assert page.headers["content-type"].startswith("text/html")  # a page where people read


def test_webhooks_have_their_own_smaller_limit(client: TestClient) -> None:
    body = b'{"annotations": {"a": "' + b"x" * 19_000 + b'"}}'  # 19 KB: under 1 MiB
    hook = client.post("/webhooks/strava", content=body)
    assert hook.status_code == 413  # webhooks: 16 KiB
    data = client.put("/api/activities/1/annotations", content=body, headers=api_headers())
    assert data.status_code == 422  # read, and refused by the route (a value over 10,000)


def test_a_streamed_body_is_cut_at_the_limit(small: TestClient) -> None:
    resp = small.put("/api/activities/1/annotations", content=chunks(8), headers=api_headers())
    assert resp.status_code == 413
    assert "at most 4096 bytes" in resp.json()["detail"]


def test_no_credential_means_the_body_is_not_read(small: TestClient, db: Database) -> None:
    add_athlete(db, 7)
    bad_json = b"{not json"  # read, it would be a 422; unread, the route's 401 answers
    for headers in ({}, {"Authorization": "Bearer not-the-key-0123456789"}):
        resp = small.put("/api/activities/1/annotations", content=bad_json, headers=headers)
        assert resp.status_code == 401, resp.text
        assert resp.headers["connection"] == "close"
        admin = small.patch("/api/admin/athletes/7", content=bad_json, headers=headers)
        assert admin.status_code == 401, admin.text
        cron = small.post("/api/cron/sync", content=bad_json, headers=headers)
        assert cron.status_code in (401, 503), cron.text  # 503: cron not configured
    # with the right credential the body is read (and its JSON refused)
    read = small.put("/api/activities/1/annotations", content=bad_json, headers=api_headers())
    assert read.status_code == 422
    ok = small.patch("/api/admin/athletes/7", json={"hidden": True}, headers=admin_headers())
    assert ok.status_code == 200 and ok.json()["hidden"] is True
