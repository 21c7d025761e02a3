"""The tier Strava applies: recorded from a real answer's headers (only when it changes) and
shown on the dashboard and in the admin API's quota, with what to set when the budget differs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.store.operator import admin as admin_q
from stravasync.store.schema import app_settings
from stravasync.strava.client import StravaClient
from stravasync.strava.quota import tiers
from stravasync.strava.quota.budget import SharedBudget
from stravasync.strava.quota.ratelimit import TIERS, Priority
from stravasync.web.app import create_app
from tests.integration.web.conftest import admin_headers, make_settings
from tests.integration.web.test_dashboard_session import log_in

DEFAULT_HEADERS = {
    "X-RateLimit-Limit": "200,2000",
    "X-RateLimit-Usage": "1,1",
    "X-ReadRateLimit-Limit": "100,1000",
    "X-ReadRateLimit-Usage": "1,1",
}


def _recorded(db: Database) -> tuple[Any, datetime | None]:
    with db.engine.connect() as conn:
        row = conn.execute(
            select(app_settings.c.value_json, app_settings.c.updated_at).where(
                app_settings.c.key == tiers.STATED_LIMITS_KEY
            )
        ).first()
    return (row[0], row[1]) if row else (None, None)


def _ask_strava(db: Database, clock: VirtualClock) -> SharedBudget:
    """One token exchange and one GET /athlete against a simulator on the extended tier, with
    the default tier configured (the budget caps its counters at 200/2000, 100/1000)."""
    sim = Simulator(SimConfig(seed=4, athletes=1, history_days=5, quota="extended"), clock=clock)
    budget = SharedBudget(db, TIERS["default"])
    client = StravaClient(
        base_url="http://sim.test",
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        budget=budget,
        clock=clock,
        http=sim.http_client(),
    )
    token = client.exchange_code(sim.grant(sim.athlete_ids()[0], "read")).access_token
    client.get_athlete(token, priority=Priority.INTERACTIVE)
    clock.advance(60)
    client.get_athlete(token, priority=Priority.INTERACTIVE)
    return budget


def test_strava_s_limits_are_recorded_once_and_shown_with_the_setting_to_change(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    assert _recorded(db) == (None, None)
    start = clock.now()
    budget = _ask_strava(db, clock)
    value, updated_at = _recorded(db)
    assert value == tiers.as_json(TIERS["extended"])
    # written by the first answer; the later answers stated the same limits: no write
    assert updated_at == start
    # the counters keep the configured (lower) limits
    assert {c.limit for c in budget.snapshot(clock.now())} == {200, 2000, 100, 1000}

    app = create_app(make_settings(db_url), db, clock=clock)
    with TestClient(app, follow_redirects=False) as http:
        assert log_in(http).status_code == 303  # a browser session, as an operator sees it
        page = http.get("/admin")
        assert page.status_code == 200
        assert "Strava applies the extended tier (overall 600/15 min, 6000/day" in page.text
        assert "set STRAVASYNC_RATE_TIER=extended" in page.text
        quota = http.get("/api/admin/quota", headers=admin_headers()).json()
        assert quota["strava"]["tier"] == "extended"
        assert quota["strava"]["limits"]["read_daily"] == 3000
        assert quota["strava"]["hint"] == "set STRAVASYNC_RATE_TIER=extended"

    # configured as Strava states it: the tier is shown, no hint
    settings = make_settings(db_url, rate_tier="extended")
    with TestClient(create_app(settings, db, clock=clock)) as http:
        page = http.get("/admin", headers=admin_headers())
        assert "Strava applies the extended tier" in page.text
        assert "STRAVASYNC_RATE_TIER=" not in page.text
        assert (
            http.get("/api/admin/quota", headers=admin_headers()).json()["strava"]["hint"] is None
        )


def test_new_limits_replace_the_recorded_ones_and_nothing_is_shown_before_any(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    with TestClient(create_app(make_settings(db_url), db, clock=clock)) as http:
        assert (
            "Strava has not stated its limits yet"
            in http.get("/admin", headers=admin_headers()).text
        )
        assert http.get("/api/admin/quota", headers=admin_headers()).json()["strava"] is None
    with db.transaction() as conn:
        admin_q.put_setting(
            conn, tiers.STATED_LIMITS_KEY, tiers.as_json(TIERS["extended"]), now=clock.now()
        )
    budget = SharedBudget(db, TIERS["default"])
    clock.advance(30)
    budget.reconcile(DEFAULT_HEADERS, clock.now())
    value, updated_at = _recorded(db)
    assert value == tiers.as_json(TIERS["default"]) and updated_at == clock.now()
    with TestClient(create_app(make_settings(db_url), db, clock=clock)) as http:
        page = http.get("/admin", headers=admin_headers()).text
        assert "Strava applies the default tier" in page and "STRAVASYNC_RATE_TIER=" not in page
