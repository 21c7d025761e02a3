"""`POST /_sim/grant`: a JSON body, documented in the OpenAPI; anything else is a 4xx, not 500."""

from __future__ import annotations

import httpx
import pytest

from stravasync.simulator import Simulator


def test_json_grant_gives_a_code_that_the_token_exchange_accepts(
    sim: Simulator, client: httpx.Client
) -> None:
    athlete = next(iter(client.get("/_sim/athletes").json()))["id"]
    resp = client.post("/_sim/grant", json={"athlete_id": athlete, "scope": "read"})
    assert resp.status_code == 200, resp.text
    token = client.post(
        "/oauth/token",
        data={
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "code": resp.json()["code"],
            "grant_type": "authorization_code",
        },
    )
    assert token.status_code == 200, token.text
    assert token.json()["athlete"]["id"] == athlete


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": {"athlete_id": "10000001"}},  # a form body
        {"content": b"athlete_id=1&scope=read"},
        {"json": {"athlete_id": "abc"}},
        {"json": {"athlete_id": 0}},
        {"json": {"athlete_id": 10000001, "extra": 1}},
        {"json": [1, 2]},
    ],
)
def test_a_bad_grant_body_is_a_4xx(client: httpx.Client, kwargs: dict[str, object]) -> None:
    resp = client.post("/_sim/grant", **kwargs)  # type: ignore[arg-type]
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text)


def test_unknown_athlete_is_404(client: httpx.Client) -> None:
    assert client.post("/_sim/grant", json={"athlete_id": 999}).status_code == 404


def test_the_grant_body_is_in_the_openapi(client: httpx.Client) -> None:
    spec = client.get("/_sim/openapi.json").json()
    body = spec["paths"]["/_sim/grant"]["post"]["requestBody"]["content"]["application/json"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
    props = spec["components"]["schemas"][ref]["properties"]
    assert set(props) == {"athlete_id", "scope"}
