from __future__ import annotations

import json

import httpx
import pytest

from tests.integration.simulator.conftest import auth, connect, make_sim

RATE_LIMITED = {
    "message": "Rate Limit Exceeded",
    "errors": [{"resource": "Application", "field": "rate limit", "code": "exceeded"}],
}


def test_429_when_over_the_read_limit_usage_reads_above_and_quarter_reset() -> None:
    sim = make_sim(quota="10,100,5,50", count_token_requests=False)
    client = sim.http_client()
    h = auth(connect(sim, client, sim.athlete_ids()[0]))
    statuses = [client.get("/api/v3/athlete", headers=h).status_code for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    last = client.get("/api/v3/athlete", headers=h)
    assert last.status_code == 429 and last.json() == RATE_LIMITED
    assert last.headers["X-ReadRateLimit-Usage"] == "9,9"
    assert last.headers["X-ReadRateLimit-Limit"] == "5,50"
    assert last.headers["X-RateLimit-Limit"] == "10,100"
    # the virtual start is 08:00:00; the next window opens at 08:15:00
    sim.advance(14 * 60 + 59)
    assert client.get("/api/v3/athlete", headers=h).status_code == 429
    sim.advance(1)
    ok = client.get("/api/v3/athlete", headers=h)
    assert ok.status_code == 200
    assert ok.headers["X-ReadRateLimit-Usage"] == "1,11"
    stats = sim.stats()
    assert stats["requests"]["GET /api/v3/athlete"] == {"200": 6, "429": 5}
    assert stats["rate_limited"] == 5


def test_daily_limit_resets_at_midnight_utc() -> None:
    sim = make_sim(quota="1000,3,1000,3", count_token_requests=False)
    client = sim.http_client()
    h = auth(connect(sim, client, sim.athlete_ids()[0]))
    assert [client.get("/api/v3/athlete", headers=h).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    sim.advance(15 * 3600 + 59 * 60)  # 23:59 the same day
    h = auth(connect(sim, client, sim.athlete_ids()[0]))  # the first token expired
    assert client.get("/api/v3/athlete", headers=h).status_code == 429
    sim.advance(60)  # midnight
    resp = client.get("/api/v3/athlete", headers=h)
    assert resp.status_code == 200 and resp.headers["X-RateLimit-Usage"] == "1,1"


def test_token_requests_count_only_when_configured() -> None:
    for counted, expected in ((True, "1,1"), (False, "0,0")):
        sim = make_sim(count_token_requests=counted)
        client = sim.http_client()
        token = connect(sim, client, sim.athlete_ids()[0])
        resp = client.get("/_sim/stats").json()
        assert f"{resp['usage']['overall_15min']},{resp['usage']['overall_daily']}" == expected
        assert token["access_token"]


def test_inactive_app_answers_403() -> None:
    sim = make_sim()
    client = sim.http_client()
    h = auth(connect(sim, client, sim.athlete_ids()[0]))
    sim.faults.inactive_app = True
    resp = client.get("/api/v3/athlete/activities", headers=h)
    assert resp.status_code == 403
    assert resp.json()["errors"][0]["resource"] == "Application"
    assert client.post("/oauth/token", data={}).status_code == 403
    assert client.get("/_sim/stats").status_code == 200  # control paths never fail


def test_5xx_malformed_storm_and_hang_faults() -> None:
    sim = make_sim()
    client = sim.http_client()
    h = auth(connect(sim, client, sim.athlete_ids()[0]))
    sim.faults.rate_5xx = 1.0
    assert client.get("/api/v3/athlete", headers=h).status_code in (500, 502, 503)
    sim.faults.rate_5xx = 0.0
    sim.faults.malformed_rate = 1.0
    broken = client.get("/api/v3/athlete/activities", headers=h)
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    sim.faults.malformed_rate = 0.0
    resp = client.post("/_sim/faults", json={"storm_429": True})
    assert resp.json()["storm_429"] is True
    assert client.get("/api/v3/athlete", headers=h).json() == RATE_LIMITED
    sim.faults.storm_429 = False
    sim.faults.hang_rate = 1.0
    sim.faults.hang_seconds = 5.0
    with pytest.raises(httpx.ReadTimeout):
        client.get("/api/v3/athlete", headers=h, timeout=0.2)
    sim.faults.hang_rate = 0.0
    assert client.get("/api/v3/athlete", headers=h).status_code == 200


def test_token_revocation_fault_kills_the_tokens_silently() -> None:
    sim = make_sim()
    client = sim.http_client()
    token = connect(sim, client, sim.athlete_ids()[0])
    sim.faults.token_revocation_rate = 1.0
    assert client.get("/api/v3/athlete", headers=auth(token)).status_code == 401
    sim.faults.token_revocation_rate = 0.0
    assert client.get("/api/v3/athlete", headers=auth(token)).status_code == 401
    assert not [c for c in sim.changes() if c.kind == "deauth"]
