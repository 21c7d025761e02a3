"""Every admin, data and cron endpoint refuses a missing or wrong token; secrets never leak."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stravasync.store import Database
from stravasync.web.app import create_app
from stravasync.web.auth import AttemptLimiter
from tests.integration.web.conftest import (
    ADMIN,
    API,
    CRON,
    SECRETS,
    add_athlete,
    admin_headers,
    make_settings,
    sqlite_copy,
)

PROTECTED_PREFIXES = ("/api/admin/", "/api/athletes/", "/api/activities/", "/api/cron/")


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Behaviour of the HTTP layer, not of storage: one backend is enough here."""
    return sqlite_copy(tmp_path, sqlite_template)


def protected_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document under a protected prefix, ids filled in."""
    out = []
    for template, ops in client.get("/openapi.json").json()["paths"].items():
        if not template.startswith(PROTECTED_PREFIXES):
            continue
        path = template.replace("{kind}", "job")
        path = re.sub(r"\{[^}]+\}", "1", path)
        out.extend((method.upper(), path) for method in ops)
    return out


def test_the_route_list_covers_admin_and_data(client: TestClient) -> None:
    paths = {p for _, p in protected_routes(client)}
    assert "/api/admin/athletes" in paths
    assert "/api/athletes/1/activities" in paths
    assert "/api/activities/1/annotations" in paths
    assert len(paths) >= 20


def test_every_protected_endpoint_answers_401_without_the_right_token(
    db: Database, db_url: str
) -> None:
    # a generous limiter so the lock-out does not turn the later 401s into 429s
    app = create_app(make_settings(db_url), db, limiter=AttemptLimiter(max_failures=10_000))
    with TestClient(app) as client:
        routes = protected_routes(client)
        for method, path in routes:
            for headers in (
                {},
                {"Authorization": "Bearer wrong"},
                {"Authorization": f"Basic {ADMIN}"},
                {"Authorization": f"Bearer {CRON if path.startswith('/api/admin') else ADMIN}"},
            ):
                resp = client.request(method, path, headers=headers, json={})
                assert resp.status_code == 401, (method, path, headers, resp.status_code)
                assert resp.headers.get("WWW-Authenticate") == "Bearer"
        # the API key is not an admin token and vice versa
        assert (
            client.get(
                "/api/admin/athletes", headers={"Authorization": f"Bearer {API}"}
            ).status_code
            == 401
        )
        assert client.get("/api/admin/athletes", headers=admin_headers()).status_code == 200


def test_repeated_failures_limit_wrong_tokens_but_never_the_right_one(
    client: TestClient,
) -> None:
    for _ in range(10):
        assert (
            client.get("/api/admin/athletes", headers={"Authorization": "Bearer x"}).status_code
            == 401
        )
    limited = client.get("/api/admin/athletes", headers={"Authorization": "Bearer y"})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/admin/athletes", headers=admin_headers()).status_code == 200


def test_lockout_expires_with_time(db: Database, db_url: str) -> None:
    from stravasync.clock import VirtualClock

    clock = VirtualClock()
    app = create_app(
        make_settings(db_url), db, clock=clock, limiter=AttemptLimiter(max_failures=2, window=60)
    )
    wrong = {"Authorization": "Bearer nope"}
    with TestClient(app) as client:
        for _ in range(2):
            assert client.get("/api/admin/athletes", headers=wrong).status_code == 401
        assert client.get("/api/admin/athletes", headers=wrong).status_code == 429
        clock.advance(61)
        assert client.get("/api/admin/athletes", headers=wrong).status_code == 401


def test_unset_tokens_open_nothing(db: Database, db_url: str) -> None:
    from stravasync.config import load_settings

    app = create_app(load_settings(database_url=db_url), db)
    with TestClient(app) as client:
        assert (
            client.get("/api/admin/athletes", headers={"Authorization": "Bearer "}).status_code
            == 401
        )
        assert (
            client.get("/api/admin/athletes", headers={"Authorization": "Bearer None"}).status_code
            == 401
        )
        assert (
            client.get(
                "/webhooks/strava",
                params={"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "c"},
            ).status_code
            == 403
        )


def test_secrets_never_appear_in_responses_or_logs(
    client: TestClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_athlete(db, 5)
    bodies = [
        client.get("/openapi.json").text,
        client.get("/metrics").text,
        client.get("/readyz").text,
        client.get("/api/admin/athletes", headers=admin_headers()).text,
        client.get("/api/admin/athletes/5", headers=admin_headers()).text,
        client.get("/api/admin/athletes", headers={"Authorization": f"Bearer {ADMIN}x"}).text,
        client.get(
            "/webhooks/strava",
            params={"hub.mode": "subscribe", "hub.verify_token": "n", "hub.challenge": "c"},
        ).text,
    ]
    for secret in SECRETS:
        for body in bodies:
            assert secret not in body
        assert secret not in caplog.text
