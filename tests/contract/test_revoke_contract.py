"""The revoke exchange against Strava's authentication docs (see SOURCE.md: not in the swagger).

What Strava documents (its authentication page and the 2026 developer-program changelog, as
quoted in stravalib #737/#738 and strava-ruby-client PR #102): ``POST
https://www.strava.com/oauth/revoke``, HTTP Basic ``client_id:client_secret``, a form body with
``token`` (an access or a refresh token) and an optional ``token_type_hint``; revoking either
token revokes both; 200 even for a token Strava does not know. Tokens never in a query string.
"""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.strava.client import StravaClient
from stravasync.strava.platform import choose_origins
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy

REVOKE = {
    "method": "POST",
    "url": "https://www.strava.com/oauth/revoke",
    "required": {"token"},
    "optional": {"token_type_hint"},
    "hints": {"access_token", "refresh_token"},
}
NOW = datetime(2027, 7, 1, 12, 0, 30, tzinfo=UTC)  # after 2027-06-01: only the documented exchange


def strava_client(seen: list[httpx.Request]) -> StravaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    clock = VirtualClock(NOW)
    return StravaClient(
        origins=choose_origins(NOW.date()),
        client_id="4242",
        client_secret="the-secret",
        budget=MemoryBudget(Limits(200, 2000, 100, 1000), Policy()),
        clock=clock,
        http=httpx.Client(transport=httpx.MockTransport(handler)),
        rng=random.Random(1),
    )


def conforms(request: httpx.Request, token: str) -> list[str]:
    problems: list[str] = []
    if request.method != REVOKE["method"]:
        problems.append(f"method {request.method}")
    if str(request.url.copy_with(query=None)) != REVOKE["url"]:
        problems.append(f"url {request.url}")
    if request.url.query:
        problems.append("a query string")
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic ") or base64.b64decode(header[6:]) != b"4242:the-secret":
        problems.append("no HTTP Basic client_id:client_secret")
    if "x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        problems.append("not a form body")
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    missing = REVOKE["required"] - set(form)
    extra = set(form) - REVOKE["required"] - REVOKE["optional"]
    if missing or extra:
        problems.append(f"form fields: missing {sorted(missing)}, unexpected {sorted(extra)}")
    if form.get("token") != token:
        problems.append("the token is not the one withdrawn")
    if "token_type_hint" in form and form["token_type_hint"] not in REVOKE["hints"]:
        problems.append(f"token_type_hint {form['token_type_hint']}")
    return problems


@pytest.mark.parametrize("hint", ["refresh_token", "access_token"])
def test_the_client_sends_the_documented_revoke(hint: str) -> None:
    seen: list[httpx.Request] = []
    strava_client(seen).revoke("tok-123", token_type_hint=hint)
    assert len(seen) == 1
    assert conforms(seen[0], "tok-123") == []


@pytest.mark.parametrize("platform", ["2026", "2027"])
def test_the_simulator_answers_as_documented(platform: str) -> None:
    sim = Simulator(
        SimConfig(athletes=3, history_days=30, quota="unlimited", platform=platform),
        clock=VirtualClock(NOW),
    )
    pair = base64.b64encode(f"{sim.client_id}:{sim.client_secret}".encode()).decode()
    with sim.http_client() as http:
        unknown = http.post(
            "/oauth/revoke", headers={"Authorization": f"Basic {pair}"}, data={"token": "nope"}
        )
        assert unknown.status_code == 200
        code = sim.grant(sim.athlete_ids()[0])
        token = http.post(
            "/oauth/token",
            data={
                "client_id": sim.client_id,
                "client_secret": sim.client_secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        ).json()
        revoked = http.post(
            "/oauth/revoke",
            headers={"Authorization": f"Basic {pair}"},
            data={"token": token["access_token"], "token_type_hint": "access_token"},
        )
        assert revoked.status_code == 200
        again = http.post(
            "/oauth/token",
            data={
                "client_id": sim.client_id,
                "client_secret": sim.client_secret,
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
            },
        )
        assert again.status_code == 400  # revoking the access token revoked the refresh token
