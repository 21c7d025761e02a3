"""Every ``/me`` route, walked as athlete A with athlete B's ids, over real HTTP, on SQLite and
PostgreSQL: a route naming an id answers 404, no answer carries B's data, and B's rows are
unchanged afterwards (even A's "delete my data now" touches only A). Without a session every
route but the three of signing in sends a browser to sign in and answers a script 401.

The routes are read from the app itself, so a route added later is walked too.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.people import me as me_q
from stravasync.store.schema import activities, activity_details, athletes, sync_state
from stravasync.web.app import create_app
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.athlete_seed import B_MARK, B, Seeded, seed
from tests.integration.web.conftest import make_settings

PUBLIC = {"/me/signin", "/me/signin/strava", "/me/callback"}
"""The only /me routes a browser without a session may use (they start the session)."""
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
DESTRUCTIVE_LAST = ("/me/signout", "/me/disconnect", "/me/delete")


def api_routes(routes: Sequence[Any]) -> Iterator[APIRoute]:
    """Every APIRoute of the app, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from api_routes(inner.routes)


def me_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every /me route, the destructive ones last."""
    found = {
        (method, route.path)
        for route in api_routes(app.routes)
        if route.path == "/me" or route.path.startswith("/me/")
        for method in route.methods or ()
        if method != "HEAD"
    }
    return sorted(found, key=lambda mp: (mp[1] in DESTRUCTIVE_LAST, mp[1], mp[0]))


def with_ids_of_b(path: str, seeded: Seeded) -> str:
    """Each path parameter filled with one of B's ids (gear: B's gear id)."""

    def fill(match: re.Match[str]) -> str:
        return "bgear9" if "gear" in match[1] else str(seeded.b_acts[0])

    return re.sub(r"\{(\w+)(?::\w+)?\}", fill, path)


def readable(resp: httpx.Response) -> str:
    """The answer as text; a zip (the download) as the text of every file in it."""
    if resp.headers.get("content-type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(resp.content)) as archive:
            names = archive.namelist()
            assert "activities.jsonl" in names
            return "\n".join([*names, *(archive.read(n).decode("utf-8", "replace") for n in names)])
    return resp.text


def b_rows(db: Database) -> dict[str, Any]:
    with db.engine.connect() as conn:
        return {
            "activities": conn.execute(
                select(func.count()).select_from(activities).where(activities.c.athlete_id == B)
            ).scalar_one(),
            "details": conn.execute(
                select(func.count())
                .select_from(activity_details)
                .where(
                    activity_details.c.activity_id.in_(
                        select(activities.c.id).where(activities.c.athlete_id == B)
                    )
                )
            ).scalar_one(),
            "athlete": dict(
                conn.execute(
                    select(athletes.c.status, athletes.c.auto_sync, athletes.c.purge_after).where(
                        athletes.c.id == B
                    )
                )
                .one()
                ._mapping
            ),
            "requested": conn.execute(
                select(sync_state.c.requested_mode).where(sync_state.c.athlete_id == B)
            ).scalar_one(),
        }


@pytest.fixture
def site(db: Database, db_url: str) -> Iterator[tuple[FastAPI, str, Seeded]]:
    now = datetime.now(UTC).replace(microsecond=0)
    seeded = seed(db, now, count=8)
    settings = make_settings(
        db_url, client_id="4711", client_secret="s" * 24, secret_key=Fernet.generate_key().decode()
    )
    app = create_app(settings, db)
    with serve_in_thread(app) as base:
        yield app, base, seeded


def test_every_me_route_as_another_athlete_is_404_and_never_their_data(
    site: tuple[FastAPI, str, Seeded], db: Database
) -> None:
    app, base, seeded = site
    routes = me_routes(app)
    assert ("GET", "/me/activities/{activity_id}") in routes and ("POST", "/me/delete") in routes
    before = b_rows(db)
    spy = f"?athlete_id={B}&activity_id={seeded.b_acts[0]}&id={seeded.b_acts[0]}"
    walked = 0
    for method, template in routes:
        if template in PUBLIC:
            continue
        secret = f"a-{walked}"
        now = datetime.now(UTC)
        with db.transaction() as conn:  # a fresh session each time (sign-out and delete end it)
            me_q.open_session(
                conn,
                secret,
                athlete_id=1001,
                csrf=seeded.csrf,
                now=now,
                expires_at=now + timedelta(hours=1),
            )
        path = with_ids_of_b(template, seeded)
        with httpx.Client(base_url=base, cookies={"stravasync_me": secret}) as client:
            resp = client.request(
                method,
                path + spy,
                data={"csrf": seeded.csrf, "confirm": "delete"} if method != "GET" else None,
                headers={"X-CSRF-Token": seeded.csrf},
            )
        walked += 1
        if "{" in template:
            assert resp.status_code == 404, (method, template, resp.status_code)
        else:
            assert resp.status_code < 500, (method, template, resp.status_code, resp.text)
        body = readable(resp)
        assert B_MARK not in body, (method, template)
        assert str(seeded.b_acts[0]) not in body, (method, template)
        assert "bgear9" not in body
    assert walked >= 10
    assert b_rows(db) == before


def test_every_me_route_without_a_session_asks_to_sign_in(
    site: tuple[FastAPI, str, Seeded],
) -> None:
    app, base, seeded = site
    with httpx.Client(base_url=base, cookies={"stravasync_me": "not-a-session"}) as client:
        for method, template in me_routes(app):
            if template in PUBLIC:
                continue
            path = with_ids_of_b(template, seeded)
            resp = client.request(method, path, data={"csrf": seeded.csrf}, headers=BROWSER)
            assert resp.status_code == 303, (method, template)  # a browser: to sign in
            assert resp.headers["location"] == "/me/signin"
            assert B_MARK not in resp.text
            script = client.request(method, path, headers={"Accept": "application/json"})
            assert script.status_code == 401, (method, template)  # a script is told


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    site: tuple[FastAPI, str, Seeded], db: Database
) -> None:
    _, base, seeded = site
    with httpx.Client(base_url=base, cookies={"stravasync_me": seeded.a_secret}) as client:
        for path in ("/me/pause", "/me/sync", "/me/delete"):
            resp = client.post(path, data={"csrf": "wrong", "confirm": "delete"})
            assert resp.status_code == 403, path
        assert client.post("/me/pause").status_code == 403
    with db.engine.connect() as conn:
        row = conn.execute(select(athletes.c.auto_sync).where(athletes.c.id == 1001)).scalar_one()
        n = conn.execute(
            select(func.count()).select_from(activities).where(activities.c.athlete_id == 1001)
        ).scalar_one()
    assert row is True and n == 8


def test_signing_out_ends_the_session_in_the_database(
    site: tuple[FastAPI, str, Seeded], db: Database
) -> None:
    """The cookie is cleared (path /me) and the same secret no longer opens a session."""
    _, base, seeded = site
    with httpx.Client(base_url=base, cookies={"stravasync_me": seeded.a_secret}) as client:
        assert client.get("/me").status_code == 200
        out = client.post("/me/signout", data={"csrf": seeded.csrf})
        assert out.status_code == 303 and out.headers["location"] == "/me/signin?out=1"
        cleared = out.headers["set-cookie"]
        assert cleared.startswith("stravasync_me=") and "Path=/me" in cleared
        assert client.get("/me", headers=BROWSER).status_code == 303
    with db.engine.connect() as conn:
        assert me_q.find_session(conn, seeded.a_secret, datetime.now(UTC)) is None
        assert [a for a, _ in me_q.recent_actions(conn, 1001)] == ["sign_out"]
