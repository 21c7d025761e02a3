"""OAuth connect against the in-process simulator: state, scopes in plain words, athlete queued."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.store.pending import syncstate
from stravasync.store.people import athletes as athlete_q
from stravasync.store.schema import athletes, rate_budget, sync_state, tokens
from stravasync.strava.setup import strava_client, token_manager
from stravasync.web.app import create_app
from stravasync.web.context import ConnectDeps, Services
from tests.integration.web.conftest import START, admin_headers, make_settings, sqlite_copy


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Behaviour of the HTTP layer, not of storage: one backend is enough here."""
    return sqlite_copy(tmp_path, sqlite_template)


@pytest.fixture
def sim_client(
    db: Database, db_url: str, tmp_path: object
) -> Iterator[tuple[TestClient, Simulator]]:
    clock = VirtualClock(START)
    sim = Simulator(SimConfig(seed=3, athletes=3, history_days=30), clock=clock)
    settings = make_settings(
        db_url,
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        strava_base_url="http://sim.test",
        redirect_uri="http://testserver/oauth/callback",
        secret_key=Fernet.generate_key().decode(),
    )
    client = strava_client(settings, db, clock, http=sim.http_client())
    deps = ConnectDeps(client=client, tokens=token_manager(settings, db, client, clock))
    app = create_app(settings, db, clock=clock, services=Services(oauth=deps))
    with TestClient(app) as c:
        yield c, sim


def authorize(
    sim: Simulator, location: str, athlete_id: int, scopes: list[str] | None = None
) -> dict[str, str]:
    """Play the athlete on Strava's authorize page; returns the callback's query."""
    params = {"sim_athlete_id": str(athlete_id)}
    url = location + "&" + "&".join(f"{k}={v}" for k, v in params.items())
    for s in scopes or []:
        url += f"&sim_scope={s}"
    resp = sim.http_client().get(url.replace("http://sim.test", ""), follow_redirects=False)
    assert resp.status_code in (302, 303), resp.text
    back = urlparse(resp.headers["location"])
    assert back.path == "/oauth/callback"
    return {k: v[0] for k, v in parse_qs(back.query).items()}


def test_connect_creates_the_athlete_queued_for_backfill(
    sim_client: tuple[TestClient, Simulator], db: Database
) -> None:
    client, sim = sim_client
    start = client.get("/connect", follow_redirects=False)
    assert start.status_code == 303
    location = start.headers["location"]
    assert location.startswith("http://sim.test/oauth/authorize?")
    assert "state=" in location and "activity%3Aread_all" in location
    athlete = sim.athlete_ids()[0]
    query = authorize(sim, location, athlete)
    done = client.get("/oauth/callback", params=query)
    assert done.status_code == 200, done.text
    assert "Connected" in done.text
    with db.engine.connect() as conn:
        row = conn.execute(select(athletes.c.status).where(athletes.c.id == athlete)).scalar_one()
        due = conn.execute(
            select(sync_state.c.due_at).where(sync_state.c.athlete_id == athlete)
        ).scalar_one()
        enc = conn.execute(select(tokens.c.access_token_enc)).scalar_one()
    assert row == "active"
    assert due == START
    assert enc not in done.text
    # the state works once only
    again = client.get("/oauth/callback", params=query)
    assert again.status_code == 400
    assert "expired" in again.text


def test_reconnecting_through_the_callback_unparks_a_deauthorized_athlete(
    sim_client: tuple[TestClient, Simulator], db: Database
) -> None:
    client, sim = sim_client
    athlete = sim.athlete_ids()[0]

    def connect() -> None:
        location = client.get("/connect", follow_redirects=False).headers["location"]
        done = client.get("/oauth/callback", params=authorize(sim, location, athlete))
        assert done.status_code == 200, done.text

    def parked() -> bool:
        with db.engine.connect() as conn:
            state = syncstate.get_state(conn, athlete)
        assert state is not None
        return bool(state["parked"])

    connect()
    with db.transaction() as conn:
        athlete_q.set_status(conn, athlete, "deauthorized", reason="revoked", now=START)
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == athlete)
            .values(due_at=START + timedelta(days=9))
        )
    assert parked()
    connect()
    assert not parked()
    with db.engine.connect() as conn:
        assert syncstate.get_state(conn, athlete)["due_at"] == START  # type: ignore[index]
        assert syncstate.active_count(conn) == 1


def test_missing_private_scope_gets_a_plain_words_page(
    sim_client: tuple[TestClient, Simulator], db: Database
) -> None:
    client, sim = sim_client
    location = client.get("/connect", follow_redirects=False).headers["location"]
    query = authorize(sim, location, sim.athlete_ids()[1], scopes=["read", "activity:read"])
    resp = client.get("/oauth/callback", params=query)
    assert resp.status_code == 400
    assert "One permission is missing" in resp.text
    assert "keep the box" in resp.text  # plain words from strava.errors.SCOPE_HELP
    with db.engine.connect() as conn:
        assert conn.execute(select(athletes.c.id)).first() is None


def test_forged_state_and_denial_store_nothing(
    sim_client: tuple[TestClient, Simulator], db: Database
) -> None:
    client, _ = sim_client
    forged = client.get(
        "/oauth/callback",
        params={"code": "x", "state": "forged", "scope": "read,activity:read_all"},
    )
    assert forged.status_code == 400
    location = client.get("/connect", follow_redirects=False).headers["location"]
    state = parse_qs(urlparse(location).query)["state"][0]
    denied = client.get("/oauth/callback", params={"state": state, "error": "access_denied"})
    assert denied.status_code == 400
    assert "did not authorize" in denied.text
    with db.engine.connect() as conn:
        assert conn.execute(select(athletes.c.id)).first() is None


def test_return_to_only_accepts_local_paths(sim_client: tuple[TestClient, Simulator]) -> None:
    client, sim = sim_client
    location = client.get("/connect?return_to=/welcome", follow_redirects=False).headers["location"]
    query = authorize(sim, location, sim.athlete_ids()[2])
    resp = client.get("/oauth/callback", params=query, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == "/welcome"
    evil = client.get("/connect?return_to=//evil.example/x", follow_redirects=False).headers[
        "location"
    ]
    query = authorize(sim, evil, sim.athlete_ids()[2])
    assert client.get("/oauth/callback", params=query, follow_redirects=False).status_code == 200


def test_connect_stores_the_athletes_names_and_the_admin_api_shows_them(
    sim_client: tuple[TestClient, Simulator], db: Database
) -> None:
    client, sim = sim_client
    athlete = sim.athlete_ids()[2]
    person = sim.world.profile(athlete)
    location = client.get("/connect", follow_redirects=False).headers["location"]
    done = client.get("/oauth/callback", params=authorize(sim, location, athlete))
    assert done.status_code == 200, done.text
    with db.engine.connect() as conn:
        row = conn.execute(select(athletes).where(athletes.c.id == athlete)).mappings().one()
    assert (row["firstname"], row["lastname"]) == (person.firstname, person.lastname)
    profile = row["profile_json"]
    assert profile["profile"].startswith("https://") and profile["city"] == person.city
    assert set(profile) <= {
        "username",
        "firstname",
        "lastname",
        "city",
        "state",
        "country",
        "profile",
        "profile_medium",
    }
    assert "token" not in str(profile)
    name = f"{person.firstname} {person.lastname}"
    listed = client.get("/api/admin/athletes", headers=admin_headers()).json()
    assert [a["name"] for a in listed if a["athlete_id"] == athlete] == [name]
    detail = client.get(f"/api/admin/athletes/{athlete}", headers=admin_headers()).json()
    assert detail["athlete"]["name"] == name
    assert detail["profile"]["profile"] == profile["profile"]


def test_a_callback_the_budget_defers_says_nothing_was_sent_and_when_to_come_back(
    sim_client: tuple[TestClient, Simulator], db: Database
) -> None:
    """Issue 25: the page said "Strava did not accept the connection. Please try again in a
    minute" though nothing was sent and the window reopens at the quarter hour."""
    client, sim = sim_client
    window = START.replace(minute=0)  # 09:00; the 15-minute window reopens at 09:15
    with db.transaction() as conn:
        for limit_class, limit in (("overall", 200), ("read", 100)):
            conn.execute(
                rate_budget.insert().values(
                    limit_class=limit_class,
                    window="15min",
                    window_start=window,
                    used=limit,
                    limit_value=limit,
                    updated_at=START,
                )
            )
    location = client.get("/connect", follow_redirects=False).headers["location"]
    query = authorize(sim, location, sim.athlete_ids()[0])
    before = sim.requests.by_endpoint()
    resp = client.get("/oauth/callback", params=query)
    assert resp.status_code == 503, resp.text
    assert "Nothing was sent to Strava" in resp.text
    assert "09:15 UTC, in about 8 minutes" in resp.text
    assert "try again in a minute" not in resp.text
    assert 8 * 60 < int(resp.headers["retry-after"]) <= 8 * 60 + 5
    assert sim.requests.by_endpoint() == before  # the code was not spent
    with db.engine.connect() as conn:
        assert conn.execute(select(athletes.c.id)).first() is None
