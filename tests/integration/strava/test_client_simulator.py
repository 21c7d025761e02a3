"""The client, tokens and OAuth against the simulator (in-process HTTP, virtual time)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI, Request

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator, in_process_client
from stravasync.store import Database
from stravasync.store.people import athletes as athlete_q
from stravasync.strava import errors as e
from stravasync.strava import oauth
from stravasync.strava.client import StravaClient
from stravasync.strava.crypto import load_cipher
from stravasync.strava.pagination import BackwardCursor, ForwardCursor, walk
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority
from stravasync.strava.tokens import TokenManager

START = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(
        SimConfig(seed=3, athletes=3, history_days=120, quota="unlimited"),
        clock=VirtualClock(START),
    )


def make_client(sim: Simulator, limits: Limits | None = None) -> StravaClient:
    return StravaClient(
        base_url="http://sim.test",
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        budget=MemoryBudget(limits or Limits(10**6, 10**7, 10**6, 10**7), Policy(guard=0)),
        clock=sim.clock,
        http=sim.http_client(),
        max_retries=2,
    )


def token_for(sim: Simulator, client: StravaClient, scope: str = "read,activity:read_all") -> str:
    athlete = sim.athlete_ids()[0]
    return client.exchange_code(sim.grant(athlete, scope)).access_token


def test_backfill_and_incremental_walks_match_the_truth(sim: Simulator) -> None:
    client = make_client(sim)
    token = token_for(sim, client)
    truth = {a["id"] for a in sim.truth(sim.athlete_ids()[0])}
    seen: set[int] = set()
    pages = list(walk(client, token, BackwardCursor(), priority=Priority.BACKFILL))
    for page, _cursor in pages:
        seen |= {a.id for a in page.activities}
    assert pages[-1][0].empty and pages[-1][1].done
    assert seen == truth and len(truth) > 0
    oldest = min(a.start_date or "" for page, _ in pages for a in page.activities)
    after = int(datetime.fromisoformat(oldest.replace("Z", "+00:00")).timestamp()) - 1
    ascending: list[str] = []
    for page, _cursor in walk(client, token, ForwardCursor(after=after), priority=Priority.REFRESH):
        ascending += [a.start_date or "" for a in page.activities]
    assert ascending == sorted(ascending) and len(ascending) >= len(truth)


def test_details_streams_athlete_and_not_found(sim: Simulator) -> None:
    client = make_client(sim)
    token = token_for(sim, client)
    first = client.list_activities(token, per_page=5, priority=Priority.INTERACTIVE).activities[0]
    detail = client.get_activity(token, first.id, priority=Priority.ENRICH)
    assert detail.id == first.id and detail.raw["id"] == first.id
    streams = client.get_streams(
        token, first.id, keys=["time", "distance"], priority=Priority.ENRICH
    )
    assert set(streams.streams()) <= {"time", "distance"}
    athlete = client.get_athlete(token, priority=Priority.INTERACTIVE)
    assert athlete.id == sim.athlete_ids()[0]
    client.get_athlete_stats(token, athlete.id, priority=Priority.INTERACTIVE)
    with pytest.raises(e.NotFound):
        client.get_activity(token, 1, priority=Priority.INTERACTIVE)


def test_faults_become_named_errors(sim: Simulator) -> None:
    client = make_client(sim)
    token = token_for(sim, client)
    sim.faults.malformed_rate = 1.0
    with pytest.raises(e.MalformedResponse):
        client.list_activities(token, priority=Priority.BACKFILL)
    sim.faults.malformed_rate = 0.0
    sim.faults.rate_5xx = 1.0
    with pytest.raises(e.Transient) as info:
        client.get_athlete(token, priority=Priority.INTERACTIVE)
    assert info.value.status >= 500
    sim.faults.rate_5xx = 0.0
    sim.faults.inactive_app = True
    with pytest.raises(e.ApplicationInactive):
        client.get_athlete(token, priority=Priority.INTERACTIVE)
    sim.faults.inactive_app = False
    sim.faults.storm_429 = True
    with pytest.raises(e.RateLimited):
        client.get_athlete(token, priority=Priority.INTERACTIVE)
    sim.faults.storm_429 = False
    with pytest.raises(e.BudgetExhausted):  # the class stays closed until its reset
        client.get_athlete(token, priority=Priority.INTERACTIVE)


def test_missing_scope_is_reported(sim: Simulator) -> None:
    client = make_client(sim)
    token = token_for(sim, client, scope="read")
    with pytest.raises(e.ScopeMissing) as info:
        client.list_activities(token, priority=Priority.INTERACTIVE)
    assert info.value.scope.startswith("activity:read")


def test_oauth_connect_refresh_and_revocation(db: Database, tmp_path: Path, sim: Simulator) -> None:
    client = make_client(sim)
    tm = TokenManager(
        db=db, client=client, cipher=load_cipher(None, tmp_path / "k"), clock=sim.clock
    )
    state = oauth.begin(db, sim.clock.now())
    athlete = sim.athlete_ids()[1]
    code = sim.grant(athlete, "read,activity:read_all")
    redirect = oauth.Redirect(code=code, state=state, scope="read,activity:read_all", error=None)
    assert oauth.complete(db, client, tm, redirect, sim.clock.now()) == athlete
    with pytest.raises(e.OAuthStateInvalid):  # a state works once
        oauth.complete(db, client, tm, redirect, sim.clock.now())
    first = tm.access_token(athlete)
    sim.advance(6 * 3600)
    second = tm.access_token(athlete)
    assert second != first
    client.get_athlete(second, priority=Priority.INTERACTIVE)
    sim.revoke_tokens(athlete)
    sim.advance(6 * 3600)
    with pytest.raises(e.TokenRevoked):
        tm.access_token(athlete)
    with db.engine.connect() as conn:
        row = athlete_q.get_athlete(conn, athlete)
    assert row is not None and row["status"] == "reconnect_needed"


def test_scope_without_private_activities_is_refused_before_the_exchange(
    db: Database, tmp_path: Path, sim: Simulator
) -> None:
    client = make_client(sim)
    tm = TokenManager(
        db=db, client=client, cipher=load_cipher(None, tmp_path / "k"), clock=sim.clock
    )
    code = sim.grant(sim.athlete_ids()[0], "read,activity:read")
    redirect = oauth.Redirect(code=code, state=None, scope="read,activity:read", error=None)
    with pytest.raises(e.ScopeMissing, match="private"):
        oauth.complete(db, client, tm, redirect, sim.clock.now(), check_state=False)
    with db.engine.connect() as conn:
        assert athlete_q.get_athlete(conn, sim.athlete_ids()[0]) is None


def test_disconnect_revokes_on_strava_and_forgets_tokens(
    db: Database, tmp_path: Path, sim: Simulator
) -> None:
    client = make_client(sim)
    tm = TokenManager(
        db=db, client=client, cipher=load_cipher(None, tmp_path / "k"), clock=sim.clock
    )
    athlete = sim.athlete_ids()[2]
    tm.store_new(client.exchange_code(sim.grant(athlete)), sim.clock.now(), scope="read")
    token = tm.access_token(athlete)
    tm.disconnect(athlete, sim.clock.now())
    with pytest.raises(e.NotConnected):
        tm.access_token(athlete)
    with db.engine.connect() as conn:
        row = athlete_q.get_athlete(conn, athlete)
    assert row is not None and row["status"] == "deauthorized"
    with pytest.raises(e.Unauthorized):  # revoking the refresh token killed the access token
        client.get_athlete(token, priority=Priority.INTERACTIVE)


def test_push_subscription_lifecycle(sim: Simulator) -> None:
    callback = FastAPI()

    @callback.get("/webhook")
    def challenge(request: Request) -> dict[str, str]:
        assert request.query_params["hub.verify_token"] == "vt"
        return {"hub.challenge": request.query_params["hub.challenge"]}

    sim.set_webhook_transport(in_process_client(callback, "http://app.test"))
    client = make_client(sim)
    sub_id = client.create_push_subscription("http://app.test/webhook", "vt")
    assert [s.id for s in client.list_push_subscriptions()] == [sub_id]
    client.delete_push_subscription(sub_id)
    assert client.list_push_subscriptions() == []


def test_concurrent_refresh_against_the_simulator_sends_one_request(
    db_url: str, tmp_path: Path, sim: Simulator
) -> None:
    cipher = load_cipher(None, tmp_path / "k")
    handles = [Database.open(db_url, upgrade=False) for _ in range(2)]
    managers = [
        TokenManager(db=h, client=make_client(sim), cipher=cipher, clock=sim.clock) for h in handles
    ]
    athlete = sim.athlete_ids()[0]
    managers[0].store_new(
        managers[0].client.exchange_code(sim.grant(athlete)), sim.clock.now(), scope="read"
    )
    sim.advance(6 * 3600)
    sim.faults.latency = 0.2  # every answer takes 200 ms: the refreshes overlap
    before = sim.stats()["requests"].get("POST /oauth/token", {})
    got: list[str] = []
    threads = [
        threading.Thread(target=lambda m=m: got.append(m.access_token(athlete)))
        for m in managers * 3
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = sim.stats()["requests"].get("POST /oauth/token", {})
    assert len(got) == 6 and len(set(got)) == 1
    assert sum(after.values()) - sum(before.values()) == 1
    for h in handles:
        h.close()
