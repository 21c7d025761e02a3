from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import httpx

from stravasync.simulator import Simulator
from tests.integration.simulator.conftest import auth, connect, make_sim


def test_authorize_redirect_carries_code_scope_and_state(
    sim: Simulator, client: httpx.Client
) -> None:
    athlete = sim.athlete_ids()[2]
    resp = client.get(
        "/oauth/authorize",
        params={
            "client_id": sim.client_id,
            "redirect_uri": "http://app.test/cb",
            "response_type": "code",
            "scope": "read,activity:read_all,profile:read_all",
            "state": "xyz",
            "sim_athlete_id": athlete,
            "sim_scope": ["read", "activity:read"],
        },
    )
    assert resp.status_code == 302
    query = parse_qs(urlparse(resp.headers["location"]).query)
    assert query["state"] == ["xyz"] and query["scope"] == ["read"]  # unticked, not requested
    denied = client.get(
        "/oauth/authorize",
        params={
            "client_id": sim.client_id,
            "redirect_uri": "http://app.test/cb",
            "scope": "read",
            "state": "s",
            "sim_athlete_id": athlete,
            "sim_deny": "1",
        },
    )
    assert parse_qs(urlparse(denied.headers["location"]).query)["error"] == ["access_denied"]
    page = client.get(
        "/oauth/authorize",
        params={"client_id": sim.client_id, "redirect_uri": "http://app.test/cb", "scope": "read"},
    )
    assert page.status_code == 200 and "sim_athlete_id" in page.text


def test_token_exchange_shape_and_code_reuse(sim: Simulator, client: httpx.Client) -> None:
    athlete = sim.athlete_ids()[0]
    code = sim.grant(athlete)
    form = {
        "client_id": sim.client_id,
        "client_secret": sim.client_secret,
        "code": code,
        "grant_type": "authorization_code",
    }
    body = client.post("/oauth/token", data=form).json()
    assert set(body) == {
        "token_type",
        "expires_at",
        "expires_in",
        "refresh_token",
        "access_token",
        "athlete",
    }
    assert body["token_type"] == "Bearer" and body["expires_in"] == 21600
    assert body["athlete"]["id"] == athlete
    reused = client.post("/api/v3/oauth/token", data=form)
    assert reused.status_code == 400
    assert reused.json()["errors"][0]["resource"] == "RequestToken"
    wrong = client.post("/oauth/token", data={**form, "client_secret": "x"})
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0] == {"resource": "Application", "field": "", "code": "invalid"}


def test_refresh_same_token_then_rotation_and_expiry_over_http(
    sim: Simulator, client: httpx.Client
) -> None:
    token = connect(sim, client, sim.athlete_ids()[0])
    form = {
        "client_id": sim.client_id,
        "client_secret": sim.client_secret,
        "grant_type": "refresh_token",
        "refresh_token": token["refresh_token"],
    }
    same = client.post("/oauth/token", data=form).json()
    assert set(same) == {"token_type", "access_token", "expires_at", "expires_in", "refresh_token"}
    assert same["access_token"] == token["access_token"]
    sim.advance(5.5 * 3600)
    new = client.post("/oauth/token", data=form).json()
    assert new["access_token"] != token["access_token"]
    assert new["expires_in"] == 21600
    assert client.post("/oauth/token", data=form).status_code == 400  # rotated away
    sim.advance(0.5 * 3600 + 1)
    assert client.get("/api/v3/athlete", headers=auth(token)).status_code == 401
    assert client.get("/api/v3/athlete", headers=auth(new)).status_code == 200


def test_deauthorize_and_revoke(sim: Simulator, client: httpx.Client) -> None:
    a, b = sim.athlete_ids()[:2]
    ta, tb = connect(sim, client, a), connect(sim, client, b)
    resp = client.post("/oauth/deauthorize", data={"access_token": ta["access_token"]})
    assert resp.status_code == 200 and resp.json() == {"access_token": ta["access_token"]}
    assert client.get("/api/v3/athlete", headers=auth(ta)).status_code == 401
    basic = base64.b64encode(f"{sim.client_id}:{sim.client_secret}".encode()).decode()
    revoke = client.post(
        "/oauth/revoke",
        headers={"Authorization": f"Basic {basic}"},
        data={"token": tb["refresh_token"], "token_type_hint": "refresh_token"},
    )
    assert revoke.status_code == 200
    assert client.get("/api/v3/athlete", headers=auth(tb)).status_code == 401
    unknown = client.post(
        "/oauth/revoke", headers={"Authorization": f"Basic {basic}"}, data={"token": "nope"}
    )
    assert unknown.status_code == 200
    assert [c.kind for c in sim.changes(athlete_ids=[a]) if c.kind == "deauth"] == ["deauth"]


def test_athlete_capacity_on_authorize_and_grant() -> None:
    sim = make_sim(athlete_capacity=1)
    client = sim.http_client()
    a, b = sim.athlete_ids()[:2]
    connect(sim, client, a)
    resp = client.get(
        "/oauth/authorize",
        params={
            "client_id": sim.client_id,
            "redirect_uri": "http://x/cb",
            "scope": "read",
            "sim_athlete_id": b,
        },
    )
    assert resp.status_code == 403
    assert resp.json()["message"] == "Limit of connected athletes exceeded"
    assert client.post("/_sim/grant", json={"athlete_id": b}).status_code == 403


def test_profile_read_all_gives_the_detailed_athlete(sim: Simulator, client: httpx.Client) -> None:
    athlete = sim.athlete_ids()[0]
    plain = client.get("/api/v3/athlete", headers=auth(connect(sim, client, athlete))).json()
    full = client.get(
        "/api/v3/athlete", headers=auth(connect(sim, client, athlete, "read,profile:read_all"))
    ).json()
    assert plain["resource_state"] == 2 and "follower_count" not in plain
    assert full["resource_state"] == 3 and isinstance(full["bikes"], list)
    gear = {g["id"]: g["distance"] for g in full["bikes"] + full["shoes"]}
    used: dict[str, float] = {}
    for act in sim.truth(athlete):
        if act["gear_id"]:
            used[act["gear_id"]] = used.get(act["gear_id"], 0.0) + act["distance"]
    assert gear and all(abs(gear[k] - round(used.get(k, 0.0), 1)) < 0.2 for k in gear)
