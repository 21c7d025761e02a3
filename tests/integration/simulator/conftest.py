from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def make_sim(**kwargs: Any) -> Simulator:
    config: dict[str, Any] = {"seed": 7, "athletes": 20, "history_days": 365, "quota": "unlimited"}
    config.update(kwargs)
    return Simulator(SimConfig(**config), clock=VirtualClock(START))


@pytest.fixture
def sim() -> Simulator:
    return make_sim()


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    with sim.http_client() as c:
        yield c


def connect(
    sim: Simulator, client: httpx.Client, athlete_id: int, scope: str = "read,activity:read_all"
) -> dict[str, Any]:
    code = sim.grant(athlete_id, scope)
    resp = client.post(
        "/oauth/token",
        data={
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "code": code,
            "grant_type": "authorization_code",
        },
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def auth(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


def busiest(sim: Simulator) -> int:
    """The athlete with the most visible activities (so pagination has pages)."""
    return max(sim.athlete_ids()[:20], key=lambda a: len(sim.truth(a)))
