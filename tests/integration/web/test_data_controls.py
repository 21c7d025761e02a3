"""The owning app's per-athlete controls through the data API, over real HTTP (uvicorn), on
SQLite and PostgreSQL: sync now, pause, resume; the data API key only; limited per athlete
with 429 and Retry-After; each in the audit log; documented in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.store.people import athletes as athlete_q
from stravasync.store.people import me as me_q
from stravasync.store.schema import athlete_actions, sync_state
from stravasync.web.app import create_app
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import (
    ADMIN,
    START,
    add_athlete,
    api_headers,
    make_settings,
)

H = api_headers()


@pytest.fixture
def api(db: Database, db_url: str, clock: VirtualClock) -> Iterator[httpx.Client]:
    for aid in (11, 12, 13, 14):
        add_athlete(db, aid)
    with db.transaction() as conn:
        athlete_q.set_status(conn, 13, "deauthorized", reason="revoked", now=START)
        athlete_q.set_flags(conn, 14, now=START, hidden=True)
    app = create_app(make_settings(db_url), db, clock=clock)
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


def _audit(db: Database, athlete_id: int) -> list[str]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(athlete_actions.c.action)
            .where(athlete_actions.c.athlete_id == athlete_id)
            .order_by(athlete_actions.c.id)
        )
        return [r.action for r in rows]


def _state(db: Database, athlete_id: int) -> tuple[str | None, bool]:
    with db.engine.connect() as conn:
        mode = conn.execute(
            select(sync_state.c.requested_mode).where(sync_state.c.athlete_id == athlete_id)
        ).scalar()
        row = athlete_q.get_athlete(conn, athlete_id)
    assert row is not None
    return mode, bool(row["auto_sync"])


ACTIONS = ("sync", "pause", "resume")


def test_only_the_data_api_key_opens_them(api: httpx.Client, db: Database) -> None:
    wrong = ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": f"Bearer {ADMIN}"})
    for action in ACTIONS:
        for headers in wrong:
            answer = api.post(f"/api/athletes/11/{action}", headers=headers)
            assert answer.status_code == 401, (action, headers)
            assert answer.json()["error"] == "unauthorized"
    assert _audit(db, 11) == []
    assert _state(db, 11) == (None, True)


def test_unknown_or_hidden_athlete_is_404(
    api: httpx.Client, db: Database, clock: VirtualClock
) -> None:
    for action in ACTIONS:
        for aid in (999, 14):
            answer = api.post(f"/api/athletes/{aid}/{action}", headers=H)
            assert answer.status_code == 404
            assert answer.json() == {"error": "not_found", "detail": f"no athlete {aid}"}
        assert api.post(f"/api/athletes/0/{action}", headers=H).status_code == 422  # bounds
        shown = api.post(f"/api/athletes/14/{action}?include_hidden=true", headers=H)
        assert shown.status_code == (202 if action == "sync" else 200)
        clock.advance(10)
    assert _audit(db, 999) == [] and _audit(db, 14) == ["app_sync", "app_pause", "app_resume"]


def test_sync_now_is_limited_per_athlete(
    api: httpx.Client, db: Database, clock: VirtualClock
) -> None:
    first = api.post("/api/athletes/11/sync", headers=H)
    assert first.status_code == 202
    body = first.json()
    assert body["athlete_id"] == 11 and body["mode"] == "incremental"
    assert body["next_allowed_at"] == (START + timedelta(minutes=10)).isoformat().replace(
        "+00:00", "Z"
    )
    assert _state(db, 11) == ("incremental", True)
    assert _audit(db, 11) == ["app_sync"]
    with db.engine.connect() as conn:  # the allowance /me's "Sync now" reads sees it too
        assert me_q.last_sync_asked_at(conn, 11) == START

    clock.advance(240)
    again = api.post("/api/athletes/11/sync", headers=H)
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "361"  # 6 minutes left, rounded up
    assert again.json()["error"] == "too_many_attempts"
    assert _audit(db, 11) == ["app_sync"]  # a refused ask is not an action

    # another athlete has their own allowance
    assert api.post("/api/athletes/12/sync", headers=H).status_code == 202

    clock.advance(360)
    assert api.post("/api/athletes/11/sync", headers=H).status_code == 202
    assert _audit(db, 11) == ["app_sync", "app_sync"]

    # the athlete's own "Sync now" at /me counts against the same allowance
    with db.transaction() as conn:
        me_q.record(conn, 12, "sync", clock.now())
    clock.advance(601)
    assert api.post("/api/athletes/11/sync", headers=H).status_code == 202
    with db.transaction() as conn:
        me_q.record(conn, 12, "sync", clock.now())
    limited = api.post("/api/athletes/12/sync", headers=H)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "601"


def test_pause_and_resume_switch_the_athletes_sync(
    api: httpx.Client, db: Database, clock: VirtualClock
) -> None:
    paused = api.post("/api/athletes/11/pause", headers=H)
    assert paused.status_code == 200
    assert paused.json() == {
        "athlete_id": 11,
        "auto_sync": False,
        "changed": True,
        "detail": "athlete 11's sync paused",
    }
    assert _state(db, 11) == (None, False)

    # paused: the athlete opted out, a sync is refused until resumed
    refused = api.post("/api/athletes/11/sync", headers=H)
    assert refused.status_code == 409 and "paused" in refused.json()["detail"]

    flap = api.post("/api/athletes/11/resume", headers=H)
    assert flap.status_code == 429 and flap.headers["Retry-After"] == "11"
    assert _state(db, 11) == (None, False)

    clock.advance(10)
    resumed = api.post("/api/athletes/11/resume", headers=H)
    assert resumed.status_code == 200 and resumed.json()["auto_sync"] is True
    assert _state(db, 11) == (None, True)
    clock.advance(10)
    same = api.post("/api/athletes/11/resume", headers=H).json()
    assert same["changed"] is False and same["detail"].endswith("(already so)")
    assert api.post("/api/athletes/11/sync", headers=H).status_code == 202
    assert _audit(db, 11) == ["app_pause", "app_resume", "app_resume", "app_sync"]


def test_a_disconnected_athlete_cannot_be_synced(api: httpx.Client, db: Database) -> None:
    answer = api.post("/api/athletes/13/sync", headers=H)
    assert answer.status_code == 409
    assert answer.json() == {
        "error": "conflict",
        "detail": "athlete 13 is deauthorized: nothing to sync",
    }
    assert _audit(db, 13) == []


def test_the_controls_are_in_the_openapi_document(api: httpx.Client) -> None:
    doc = api.get("/openapi.json").json()
    sync = doc["paths"]["/api/athletes/{athlete_id}/sync"]["post"]
    assert set(sync["responses"]) >= {"202", "401", "404", "409", "422", "429"}
    ok = sync["responses"]["202"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/SyncAsked"}
    assert "Retry-After" in sync["responses"]["429"]["headers"]
    problem = {"$ref": "#/components/schemas/Problem"}
    assert sync["responses"]["429"]["content"]["application/json"]["schema"] == problem
    for action in ("pause", "resume"):
        op = doc["paths"][f"/api/athletes/{{athlete_id}}/{action}"]["post"]
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/SyncSwitch"}
        assert {"401", "404", "429"} <= set(op["responses"])
    assert "next_allowed_at" in doc["components"]["schemas"]["SyncAsked"]["properties"]
