"""The simulator's 2027 platform: the API on its own origin without /api/v3, OAuth on the main one,
/oauth/deauthorize retired, tokens only in headers, /oauth/revoke revoking both tokens."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import httpx
import pytest

from stravasync.simulator import Simulator
from stravasync.simulator.platform import API_HOST
from tests.e2e.simproc import CLI, free_port
from tests.integration.simulator.conftest import auth, connect, make_sim

API = f"http://{API_HOST}"


@pytest.fixture
def sim27() -> Simulator:
    return make_sim(platform="2027")


@pytest.fixture
def client27(sim27: Simulator) -> Iterator[httpx.Client]:
    with sim27.http_client() as c:
        yield c


def basic(sim: Simulator) -> dict[str, str]:
    pair = base64.b64encode(f"{sim.client_id}:{sim.client_secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def test_the_api_lives_on_its_own_origin_without_api_v3(
    sim27: Simulator, client27: httpx.Client
) -> None:
    token = connect(sim27, client27, sim27.athlete_ids()[0])
    assert client27.get(f"{API}/athlete", headers=auth(token)).status_code == 200
    listed = client27.get(f"{API}/athlete/activities", headers=auth(token))
    assert listed.status_code == 200 and "x-ratelimit-usage" in listed.headers
    assert client27.get("/api/v3/athlete", headers=auth(token)).status_code == 404
    assert client27.get(f"{API}/api/v3/athlete", headers=auth(token)).status_code == 404
    assert client27.post(f"{API}/oauth/token", data={}).status_code == 404  # OAuth is elsewhere
    subs = client27.get(
        f"{API}/push_subscriptions",
        params={"client_id": sim27.client_id, "client_secret": sim27.client_secret},
    )
    assert subs.status_code == 200 and subs.json() == []


def test_deauthorize_is_retired_and_tokens_outside_headers_are_refused(
    sim27: Simulator, client27: httpx.Client
) -> None:
    token = connect(sim27, client27, sim27.athlete_ids()[1])
    gone = client27.post("/oauth/deauthorize", headers=auth(token))
    assert gone.status_code == 404
    query = client27.get(f"{API}/athlete", params={"access_token": token["access_token"]})
    assert query.status_code == 401
    form = client27.post("/oauth/deauthorize", data={"access_token": token["access_token"]})
    assert form.status_code == 401
    assert client27.get(f"{API}/athlete", headers=auth(token)).status_code == 200  # still valid
    log = sim27.request_log.items()
    outside = [r for r in log if r["token_outside_header"]]
    assert [(r["origin"], r["path"], r["status"]) for r in outside] == [
        ("api", "/athlete", 401),
        ("oauth", "/oauth/deauthorize", 401),
    ]


def test_the_2026_platform_still_accepts_both_but_logs_where_the_token_went() -> None:
    sim = make_sim()
    with sim.http_client() as client:
        token = connect(sim, client, sim.athlete_ids()[0])
        query = client.get("/api/v3/athlete", params={"access_token": token["access_token"]})
        assert query.status_code == 200
    assert [r["token_outside_header"] for r in sim.request_log.items()] == [False, True]


@pytest.mark.parametrize("which", ["access_token", "refresh_token"])
def test_revoking_either_token_revokes_both(
    sim27: Simulator, client27: httpx.Client, which: str
) -> None:
    athlete = sim27.athlete_ids()[2]
    token = connect(sim27, client27, athlete)
    resp = client27.post(
        "/oauth/revoke",
        headers=basic(sim27),
        data={"token": token[which], "token_type_hint": which},
    )
    assert resp.status_code == 200
    assert client27.get(f"{API}/athlete", headers=auth(token)).status_code == 401
    refresh = client27.post(
        "/oauth/token",
        data={
            "client_id": sim27.client_id,
            "client_secret": sim27.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
        },
    )
    assert refresh.status_code == 400
    assert [c.kind for c in sim27.changes(athlete_ids=[athlete]) if c.kind == "deauth"] == [
        "deauth"
    ]
    wrong = client27.post("/oauth/revoke", data={"token": "whatever"})
    assert wrong.status_code in (400, 401)  # no client credentials: refused


def test_simulate_platform_2027_prints_both_origins_and_serves_them() -> None:
    import subprocess

    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "simulate", "--port", str(port), "--athletes", "3", "--platform", "2027"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("ready"):
                break
        text = "".join(lines)
        api = re.search(r"export STRAVASYNC_STRAVA_API_URL=(\S+)", text)
        oauth = re.search(r"export STRAVASYNC_STRAVA_OAUTH_URL=(\S+)", text)
        assert api and oauth, text
        assert oauth.group(1) == f"http://127.0.0.1:{port}" != api.group(1)
        bad = httpx.get(f"{api.group(1)}/athlete", timeout=10)
        assert bad.status_code == 401  # the API answers there, without /api/v3
        assert httpx.post(f"{oauth.group(1)}/oauth/deauthorize", timeout=10).status_code == 404
        assert httpx.get(f"{oauth.group(1)}/_sim/requests", timeout=10).json()["platform"] == "2027"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
