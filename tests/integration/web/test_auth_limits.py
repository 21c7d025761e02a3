"""The attempt limiter over real HTTP (uvicorn on a socket): per realm, never against the right
secret, on every place a secret is compared, and blind to forwarded headers unless configured."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.store.pending.syncstate import scheduler_paused
from stravasync.web.app import create_app
from stravasync.web.auth import AttemptLimiter
from stravasync.web.context import Services
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import (
    ADMIN,
    API,
    CRON,
    VERIFY,
    add_athlete,
    make_settings,
    sqlite_copy,
)

LIMIT = 10  # the default: AttemptLimiter(max_failures=10, window=300 s)


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """The limiter lives in the process, not in the database: one backend is enough."""
    return sqlite_copy(tmp_path, sqlite_template)


def _cron(deadline: float) -> dict[str, Any]:
    return {"synced": 0, "failed": 0, "skipped": 0, "deferred": 0, "session_id": None}


@contextmanager
def running(db: Database, db_url: str, clock: VirtualClock, **extra: Any) -> Iterator[str]:
    app = create_app(make_settings(db_url, **extra), db, clock=clock, services=Services(cron=_cron))
    with serve_in_thread(app) as base:
        yield base


@pytest.fixture
def base(db: Database, db_url: str, clock: VirtualClock) -> Iterator[str]:
    add_athlete(db, 5)
    with running(db, db_url, clock) as url:
        yield url


def _login_csrf(http: httpx.Client) -> str:
    page = http.get("/admin/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@dataclass(frozen=True)
class Realm:
    name: str
    attempt: Callable[[httpx.Client, str], httpx.Response]
    right: str
    refused: int  # the answer to a wrong secret before the limit
    accepted: int  # the answer to the right secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _login(http: httpx.Client, token: str) -> httpx.Response:
    return http.post("/admin/login", data={"token": token, "csrf": _login_csrf(http)})


REALMS = [
    Realm("admin", lambda h, s: h.get("/api/admin/athletes", headers=_bearer(s)), ADMIN, 401, 200),
    Realm("admin page", lambda h, s: h.get("/admin", headers=_bearer(s)), ADMIN, 401, 200),
    Realm("login", _login, ADMIN, 401, 303),
    Realm(
        "api", lambda h, s: h.get("/api/athletes/5/activities", headers=_bearer(s)), API, 401, 200
    ),
    Realm("cron", lambda h, s: h.post("/api/cron/sync", headers=_bearer(s)), CRON, 401, 200),
    Realm(
        "verify",
        lambda h, s: h.get(
            "/webhooks/strava",
            params={"hub.mode": "subscribe", "hub.verify_token": s, "hub.challenge": "c1"},
        ),
        VERIFY,
        403,
        200,
    ),
]


@pytest.mark.parametrize("realm", REALMS, ids=lambda r: r.name)
def test_each_realm_is_limited_and_the_right_secret_always_works(base: str, realm: Realm) -> None:
    with httpx.Client(base_url=base, follow_redirects=False) as http:
        for n in range(LIMIT):
            assert realm.attempt(http, f"guess-{n}").status_code == realm.refused, n
        limited = realm.attempt(http, "guess-more")
        assert limited.status_code == 429
        assert 0 < int(limited.headers["Retry-After"]) <= 301
        if realm.name == "login":
            assert "Too many wrong tokens" in limited.text  # the form again, in plain words
        else:
            body = limited.json()
            assert body["error"] == "too_many_attempts" and "detail" in body
        # the right secret from the same address is never refused
        assert realm.attempt(http, realm.right).status_code == realm.accepted
        assert realm.attempt(http, "guess-again").status_code == 429
        # the other realms are untouched: their wrong secrets get the plain refusal
        admin = {"admin", "admin page"}  # the dashboard page and the admin API: one realm
        for other in REALMS:
            if other.name == realm.name or {other.name, realm.name} <= admin:
                continue
            assert other.attempt(http, "other-guess").status_code == other.refused, other.name
            assert other.attempt(http, other.right).status_code == other.accepted, other.name


def test_dashboard_bearer_guesses_count_in_the_admin_realm(base: str) -> None:
    with httpx.Client(base_url=base, follow_redirects=False) as http:
        for n in range(LIMIT):
            assert http.get("/admin", headers=_bearer(f"g{n}")).status_code == 401
        assert http.get("/api/admin/athletes", headers=_bearer("g")).status_code == 429
        # no credentials at all is not a guess: the page sends the browser to the login form
        assert http.get("/admin").status_code == 303


def test_requests_without_a_secret_are_not_guesses(base: str) -> None:
    with httpx.Client(base_url=base, follow_redirects=False) as http:
        # a dashboard whose session expired keeps polling: 401s, never a lock-out
        for _ in range(3 * LIMIT):
            assert http.get("/api/admin/logs").status_code == 401
        assert http.get("/api/admin/athletes", headers=_bearer("g")).status_code == 401


def test_the_limit_expires_with_time(db: Database, db_url: str, clock: VirtualClock) -> None:
    with running(db, db_url, clock) as url, httpx.Client(base_url=url) as http:
        for n in range(LIMIT):
            http.post("/api/cron/sync", headers=_bearer(f"g{n}"))
        assert http.post("/api/cron/sync", headers=_bearer("g")).status_code == 429
        clock.advance(301)
        assert http.post("/api/cron/sync", headers=_bearer("g")).status_code == 401


def _rotating_guesses(http: httpx.Client) -> list[int]:
    return [
        http.get(
            "/api/admin/athletes",
            headers={**_bearer(f"g{n}"), "X-Forwarded-For": f"198.51.100.{n + 1}"},
        ).status_code
        for n in range(LIMIT + 5)
    ]


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    with running(db, db_url, clock) as url, httpx.Client(base_url=url) as http:
        # the default trusts no proxy: rotating the header from 127.0.0.1 changes nothing
        assert _rotating_guesses(http) == [401] * LIMIT + [429] * 5
    with (
        running(db, db_url, clock, trusted_proxies="127.0.0.1") as url,
        httpx.Client(base_url=url) as http,
    ):
        # behind a configured proxy each forwarded client counts on its own
        assert _rotating_guesses(http) == [401] * (LIMIT + 5)
        one = {"X-Forwarded-For": "203.0.113.9"}
        answers = [
            http.get("/api/admin/athletes", headers={**_bearer(f"h{n}"), **one}).status_code
            for n in range(LIMIT + 1)
        ]
        assert answers == [401] * LIMIT + [429]
        # and the proxy's other clients are not locked out with it
        other = {**_bearer("h"), "X-Forwarded-For": "203.0.113.10"}
        assert http.get("/api/admin/athletes", headers=other).status_code == 401


def test_a_proxy_outside_the_trusted_list_is_not_believed(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    with (
        running(db, db_url, clock, trusted_proxies="10.0.0.0/8") as url,
        httpx.Client(base_url=url) as http,
    ):
        assert _rotating_guesses(http) == [401] * LIMIT + [429] * 5


def test_the_limiter_holds_a_bounded_number_of_clients() -> None:
    limiter = AttemptLimiter(max_failures=3, window=60, max_clients=100)
    now = datetime(2026, 3, 2, 9, 7, tzinfo=UTC)
    for n in range(1000):
        limiter.record_failure("admin", f"2001:db8::{n:x}", now)
    assert limiter.tracked() <= 100
    for _ in range(3):
        limiter.record_failure("admin", "192.0.2.1", now)
    assert limiter.blocked_until("admin", "192.0.2.1", now) is not None
    assert limiter.blocked_until("api", "192.0.2.1", now) is None


def test_session_posts_need_the_csrf_token(base: str, db: Database) -> None:
    with httpx.Client(base_url=base, follow_redirects=False) as http:
        assert _login(http, ADMIN).status_code == 303
        refused = http.post("/api/admin/scheduler/pause", json={})
        assert refused.status_code == 403
        assert refused.json()["error"] == "forbidden"
        with db.engine.connect() as conn:
            assert scheduler_paused(conn) is False
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', http.get("/admin").text)
        assert csrf
        wrong = http.post("/api/admin/scheduler/pause", json={}, headers={"X-CSRF-Token": "x"})
        assert wrong.status_code == 403
        ok = http.post(
            "/api/admin/scheduler/pause", json={}, headers={"X-CSRF-Token": csrf.group(1)}
        )
        assert ok.status_code == 200, ok.text
        with db.engine.connect() as conn:
            assert scheduler_paused(conn) is True


def test_short_secrets_are_named_at_start_never_shown(
    db: Database, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="stravasync.web.edge")
    create_app(make_settings(db_url, api_key="short-key-9", cron_secret="tiny"), db)
    named = {r.getMessage().split(" ")[0] for r in caplog.records}
    assert named == {"STRAVASYNC_API_KEY", "STRAVASYNC_CRON_SECRET"}
    assert "short-key-9" not in caplog.text and "tiny" not in caplog.text
