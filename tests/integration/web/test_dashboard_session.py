"""The dashboard's browser session over real HTTP: signed, expiring, never the token itself,
CSRF on every form, logout, and the security headers of every HTML page."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.web.app import create_app
from stravasync.web.session import SESSION_COOKIE
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import ADMIN, add_athlete, make_settings, sqlite_copy


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Sessions live in a signed cookie, not in the database: one backend is enough."""
    return sqlite_copy(tmp_path, sqlite_template)


@contextmanager
def running(db: Database, db_url: str, clock: VirtualClock, **extra: Any) -> Iterator[str]:
    app = create_app(make_settings(db_url, **extra), db, clock=clock)
    with serve_in_thread(app) as base:
        yield base


def _form_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def log_in(http: httpx.Client, token: str = ADMIN) -> httpx.Response:
    csrf = _form_csrf(http.get("/admin/login").text)
    return http.post("/admin/login", data={"token": token, "csrf": csrf})


def _set_cookie(resp: httpx.Response) -> str:
    cookies = [v for k, v in resp.headers.multi_items() if k == "set-cookie"]
    mine = [c for c in cookies if c.startswith(SESSION_COOKIE + "=")]
    assert len(mine) == 1, cookies
    return mine[0]


def test_login_sets_a_signed_httponly_strict_session_without_the_token(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    with running(db, db_url, clock) as base, httpx.Client(base_url=base) as http:
        resp = log_in(http)
        assert resp.status_code == 303 and resp.headers["location"] == "/admin"
        header = _set_cookie(resp)
        flags = header.lower()
        assert "httponly" in flags and "samesite=strict" in flags
        assert "secure" not in flags  # the public URL is http here
        value = header.split(";")[0].split("=", 1)[1]
        decoded = base64.b64decode(value.split(".")[0] + "==").decode(errors="replace")
        assert ADMIN not in value and ADMIN not in decoded
        assert http.get("/admin").status_code == 200
        assert http.get("/api/admin/athletes").status_code == 200
        # the old cookie that held the raw token opens nothing any more
        http.cookies.clear()
        http.cookies.set("stravasync_admin", ADMIN)
        assert http.get("/admin").status_code == 303
        assert http.get("/api/admin/athletes").status_code == 401


def test_the_session_is_secure_behind_https(db: Database, db_url: str, clock: VirtualClock) -> None:
    with (
        running(db, db_url, clock, public_url="https://sync.example.org") as base,
        httpx.Client(base_url=base) as http,
    ):
        assert "; secure" in _set_cookie(log_in(http)).lower()


def test_a_session_expires_and_a_forged_one_opens_nothing(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    with running(db, db_url, clock) as base, httpx.Client(base_url=base) as http:
        assert log_in(http).status_code == 303
        value = http.cookies[SESSION_COOKIE]
        clock.advance(11 * 3600)
        assert http.get("/admin").status_code == 200
        clock.advance(3600 + 1)
        assert http.get("/admin").status_code == 303
        assert http.get("/api/admin/athletes").status_code == 401
        # a payload that would be valid now, under the old signature: refused
        _payload, _, rest = value.partition(".")
        fresh = json.dumps({"admin_at": clock.now().timestamp(), "csrf": "x"}).encode()
        forged = base64.b64encode(fresh).decode() + "." + rest
        http.cookies.clear()
        http.cookies.set(SESSION_COOKIE, forged)
        assert http.get("/admin").status_code == 303
        assert http.get("/api/admin/athletes").status_code == 401


def test_a_new_admin_token_signs_everyone_out(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    with running(db, db_url, clock) as base, httpx.Client(base_url=base) as http:
        assert log_in(http).status_code == 303
        cookie = http.cookies[SESSION_COOKIE]
    with (
        running(db, db_url, clock, admin_token="a-rotated-admin-token-0042") as base,
        httpx.Client(base_url=base, cookies={SESSION_COOKIE: cookie}) as http,
    ):
        assert http.get("/admin").status_code == 303


def test_forms_need_their_csrf_token(db: Database, db_url: str, clock: VirtualClock) -> None:
    with running(db, db_url, clock) as base, httpx.Client(base_url=base) as http:
        # login without the form's token (a cross-site login form) is refused
        http.get("/admin/login")
        refused = http.post("/admin/login", data={"token": ADMIN})
        assert refused.status_code == 403
        assert http.get("/admin").status_code == 303
        assert log_in(http).status_code == 303
        # logout without it does not end the session; with it, it does
        assert http.post("/admin/logout", data={}).status_code == 403
        assert http.get("/admin").status_code == 200
        csrf = _form_csrf(http.get("/admin").text)
        out = http.post("/admin/logout", data={"csrf": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/admin/login"
        assert http.get("/admin").status_code == 303
        assert http.get("/api/admin/athletes").status_code == 401


def test_html_pages_carry_the_security_headers_and_no_inline_code(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    add_athlete(db, 5)
    with running(db, db_url, clock) as base, httpx.Client(base_url=base) as http:
        pages = [http.get("/admin/login"), http.get("/connect")]
        log_in(http)
        pages += [http.get("/admin"), http.get("/admin/athletes/5")]
        for page in pages:
            assert page.headers["content-type"].startswith("text/html"), page.url
            csp = page.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
            assert "style-src 'self'" in csp and "unsafe-inline" not in csp
            assert page.headers["x-frame-options"] == "DENY"
            assert page.headers["x-content-type-options"] == "nosniff"
            # what the CSP would block: inline scripts, handlers and style attributes
            assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), page.url
            assert not re.search(r"\s(style|on[a-z]+)=", page.text), page.url
        api = http.get("/api/admin/athletes")
        assert api.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in api.headers


def test_the_dashboard_counts_athletes_against_the_standard_tier_or_the_capacity(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    for athlete_id in (1, 2, 3):
        add_athlete(db, athlete_id)
    with running(db, db_url, clock) as base, httpx.Client(base_url=base) as http:
        log_in(http)
        page = http.get("/admin").text
        assert "3 connected / 10 (the Standard tier&#39;s limit)" in page, page
    with running(db, db_url, clock, athlete_capacity=25) as base, httpx.Client(base_url=base) as h:
        log_in(h)
        assert "3 connected / 25 capacity" in h.get("/admin").text


def test_a_session_request_with_a_body_is_read_and_one_without_credentials_is_not(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    """The credential is checked before a body is read (web.limits): the dashboard's session
    passes that check, so its PATCH body reaches the route; without a session or token the
    route answers 401 and the body is never read (the connection is closed after)."""
    add_athlete(db, 5)
    with running(db, db_url, clock) as base, httpx.Client(base_url=base) as http:
        log_in(http)
        csrf = _form_csrf(http.get("/admin").text)
        out = http.patch(
            "/api/admin/athletes/5", json={"hidden": True}, headers={"X-CSRF-Token": csrf}
        )
        assert out.status_code == 200, out.text
        assert out.json()["hidden"] is True
        no_csrf = http.patch("/api/admin/athletes/5", json={"hidden": False})
        assert no_csrf.status_code == 403
        anonymous = httpx.patch(base + "/api/admin/athletes/5", json={"hidden": False})
        assert anonymous.status_code == 401
        assert anonymous.headers["connection"] == "close"
        wrong = httpx.patch(
            base + "/api/admin/athletes/5",
            json={"hidden": False},
            headers={"Authorization": "Bearer wrong-token-0123456789"},
        )
        assert wrong.status_code == 401
        listed = http.get("/api/admin/athletes").json()
        assert [a["hidden"] for a in listed if a["athlete_id"] == 5] == [True]
