"""Sign in with Strava at /me, and the athlete's own controls, over real HTTP against the app
with the simulator playing Strava: a new athlete connects by signing in, a connected one signs
in again, the capacity holds for newcomers only; sync now (limited), pause and resume,
disconnect (revoked on Strava, purge date shown) and delete-now, each in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from stravasync.clock import RealClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.store.people import me as me_q
from stravasync.store.schema import activities, athlete_actions, athletes, sync_state, tokens
from stravasync.strava.setup import strava_client, token_manager
from stravasync.web.app import create_app
from stravasync.web.context import ConnectDeps, Services
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import make_settings, sqlite_copy

BROWSER = {"Accept": "text/html"}


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """The flow is HTTP and OAuth; the store's part is walked on both backends elsewhere."""
    return sqlite_copy(tmp_path, sqlite_template)


@dataclass
class Stack:
    base: str
    sim: Simulator
    db: Database


@pytest.fixture
def stack(db: Database, db_url: str) -> Iterator[Stack]:
    clock = RealClock()
    sim = Simulator(SimConfig(seed=5, athletes=3, history_days=20), clock=clock)
    settings = make_settings(
        db_url,
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        strava_base_url="http://sim.test",
        redirect_uri="http://service.test/oauth/callback",
        secret_key=Fernet.generate_key().decode(),
        athlete_capacity=2,
    )
    client = strava_client(settings, db, clock, http=sim.http_client())
    deps = ConnectDeps(client=client, tokens=token_manager(settings, db, client, clock))
    app = create_app(settings, db, clock=clock, services=Services(oauth=deps))
    with serve_in_thread(app) as base:
        yield Stack(base=base, sim=sim, db=db)


def sign_in(stack: Stack, browser: httpx.Client, athlete_id: int) -> httpx.Response:
    """Start at /me/signin/strava, play the athlete on the simulator's authorize page, come
    back to /me/callback; returns the callback's answer (its request holds the query)."""
    start = browser.get("/me/signin/strava")
    assert start.status_code == 303
    location = start.headers["location"]
    query = parse_qs(urlparse(location).query)
    assert query["redirect_uri"] == ["http://service.test/me/callback"]
    authorize = stack.sim.http_client().get(
        location.replace("http://sim.test", "") + f"&sim_athlete_id={athlete_id}",
        follow_redirects=False,
    )
    back = urlparse(authorize.headers["location"])
    assert back.path == "/me/callback"
    return browser.get("/me/callback", params={k: v[0] for k, v in parse_qs(back.query).items()})


def audit(db: Database, athlete_id: int) -> list[str]:
    with db.engine.connect() as conn:
        return [a for a, _ in reversed(me_q.recent_actions(conn, athlete_id, limit=50))]


def _csrf(page: str) -> str:
    marker = 'name="csrf-token" content="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_sign_in_connects_a_newcomer_and_opens_a_session(stack: Stack) -> None:
    athlete = stack.sim.athlete_ids()[0]
    with httpx.Client(base_url=stack.base) as browser:
        assert browser.get("/me", headers=BROWSER).headers["location"] == "/me/signin"
        done = sign_in(stack, browser, athlete)
        assert done.status_code == 303 and done.headers["location"] == "/me"
        cookie = done.headers["set-cookie"]
        assert cookie.startswith("stravasync_me=")
        for attribute in ("HttpOnly", "Path=/me", "SameSite=lax", "Max-Age=604800"):
            assert attribute.lower() in cookie.lower(), cookie
        assert "secure" not in cookie.lower()  # the public URL is http here
        page = browser.get("/me")
        assert page.status_code == 200 and "My sync" in page.text
        replay = browser.get("/me/callback", params=dict(done.request.url.params))
        assert replay.status_code == 400  # the state was one-time
        again = sign_in(stack, browser, athlete)  # a connected athlete signs in again
        assert again.status_code == 303
    with stack.db.engine.connect() as conn:
        status = conn.execute(
            select(athletes.c.status).where(athletes.c.id == athlete)
        ).scalar_one()
        due = conn.execute(
            select(sync_state.c.due_at).where(sync_state.c.athlete_id == athlete)
        ).scalar_one()
        stored = conn.execute(select(tokens.c.access_token_enc)).scalars().all()
    assert status == "active" and due is not None and len(stored) == 1
    assert audit(stack.db, athlete) == ["sign_in", "sign_in"]


def test_a_forged_or_replayed_callback_opens_no_session(stack: Stack) -> None:
    with httpx.Client(base_url=stack.base) as browser:
        forged = browser.get(
            "/me/callback", params={"code": "x", "state": "forged", "scope": "read"}
        )
        assert forged.status_code == 400 and "expired" in forged.text
        assert "stravasync_me=" not in forged.headers.get("set-cookie", "")
        assert browser.get("/me").status_code == 401
    with stack.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(athletes)).scalar_one() == 0


def test_capacity_refuses_a_newcomer_but_not_a_connected_athlete(stack: Stack) -> None:
    first, second, third = stack.sim.athlete_ids()[:3]
    for athlete in (first, second):
        with httpx.Client(base_url=stack.base) as browser:
            assert sign_in(stack, browser, athlete).status_code == 303
    with httpx.Client(base_url=stack.base) as browser:
        full = sign_in(stack, browser, third)
        assert full.status_code == 403 and "full" in full.text
        assert browser.get("/me").status_code == 401
    with httpx.Client(base_url=stack.base) as browser:
        assert sign_in(stack, browser, first).status_code == 303  # connected: always welcome


def test_my_controls_sync_pause_disconnect_delete(stack: Stack) -> None:
    athlete = stack.sim.athlete_ids()[1]
    with httpx.Client(base_url=stack.base) as browser:
        sign_in(stack, browser, athlete)
        csrf = _csrf(browser.get("/me").text)
        assert browser.post("/me/sync", data={"csrf": csrf}).status_code == 303
        status = browser.get("/me/sync/status").json()
        assert status["state"] == "requested" and status["requested_mode"] == "incremental"
        limited = browser.post("/me/sync", data={"csrf": csrf})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 500
        assert browser.post("/me/pause", data={"csrf": csrf}).status_code == 303
        assert 'id="resume"' in browser.get("/me").text
        assert browser.post("/me/resume", headers={"X-CSRF-Token": csrf}).status_code == 303
        with stack.db.engine.connect() as conn:
            auto = conn.execute(
                select(athletes.c.auto_sync).where(athletes.c.id == athlete)
            ).scalar_one()
        assert auto is True

        assert athlete in stack.sim.oauth.connected()
        assert browser.post("/me/disconnect", data={"csrf": csrf}).status_code == 303
        assert athlete not in stack.sim.oauth.connected()  # revoked on Strava
        page = browser.get("/me").text
        assert 'id="purge-date"' in page and "disconnected" in page
        with stack.db.engine.connect() as conn:
            row = conn.execute(
                select(athletes.c.status, athletes.c.purge_after).where(athletes.c.id == athlete)
            ).one()
            assert conn.execute(select(func.count()).select_from(tokens)).scalar_one() == 0
        assert row.status == "deauthorized" and row.purge_after > datetime.now(UTC)
        assert audit(stack.db, athlete) == ["sign_in", "sync", "pause", "resume", "disconnect"]

        refused = browser.post("/me/delete", data={"csrf": csrf, "confirm": "nope"})
        assert refused.status_code == 400
        gone = browser.post("/me/delete", data={"csrf": csrf, "confirm": "delete"})
        assert gone.status_code == 200 and "deleted" in gone.text
        assert (
            'stravasync_me=""' in gone.headers["set-cookie"]
            or "Max-Age=0" in gone.headers["set-cookie"]
        )
        assert browser.get("/me").status_code == 401
    with stack.db.engine.connect() as conn:
        left: dict[str, Any] = {
            "athletes": conn.execute(
                select(func.count()).select_from(athletes).where(athletes.c.id == athlete)
            ).scalar_one(),
            "activities": conn.execute(
                select(func.count())
                .select_from(activities)
                .where(activities.c.athlete_id == athlete)
            ).scalar_one(),
        }
        kept = conn.execute(select(athlete_actions.c.action, athlete_actions.c.athlete_id)).all()
    assert left == {"athletes": 0, "activities": 0}
    assert ("delete", None) in [(a, i) for a, i in kept]  # the audit line stays, without the id


def test_signing_in_does_not_lift_an_operators_block(stack: Stack) -> None:
    from stravasync.store.people import athletes as athlete_q

    athlete = stack.sim.athlete_ids()[2]
    with httpx.Client(base_url=stack.base) as browser:
        assert sign_in(stack, browser, athlete).status_code == 303
    with stack.db.transaction() as conn:
        athlete_q.set_status(
            conn, athlete, "blocked", reason="blocked by an operator", now=datetime.now(UTC)
        )
    with httpx.Client(base_url=stack.base) as browser:
        assert sign_in(stack, browser, athlete).status_code == 303  # still their data to see
        page = browser.get("/me").text
        assert 'id="status">blocked' in page and 'id="sync-now"' not in page
        refused = browser.post("/me/sync", data={"csrf": _csrf(page)})
        assert refused.status_code == 409
    with stack.db.engine.connect() as conn:
        row = conn.execute(
            select(athletes.c.status, athletes.c.status_reason).where(athletes.c.id == athlete)
        ).one()
    assert tuple(row) == ("blocked", "blocked by an operator")
