"""A connection refused for capacity withdraws the fresh authorization with POST /oauth/revoke
(the access token, in the form body's ``token`` field, HTTP Basic), on the 2027 platform too."""

from __future__ import annotations

from pathlib import Path

import pytest

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.simulator.platform import API_HOST
from stravasync.store import Database
from stravasync.strava import errors as e
from stravasync.strava import oauth
from stravasync.strava.client import StravaClient
from stravasync.strava.crypto import load_cipher
from stravasync.strava.platform import choose_origins
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority
from stravasync.strava.tokens import TokenManager
from tests.integration.simulator.conftest import START


@pytest.mark.parametrize("platform", ["2026", "2027"])
def test_a_refusal_revokes_the_new_authorization(
    db: Database, tmp_path: Path, platform: str
) -> None:
    sim = Simulator(
        SimConfig(athletes=3, history_days=10, quota="unlimited", platform=platform),
        clock=VirtualClock(START),
    )
    api = f"http://{API_HOST}" if platform == "2027" else None
    client = StravaClient(
        origins=choose_origins(START.date(), base_url="http://sim.test", api_url=api),
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        budget=MemoryBudget(Limits(10**6, 10**7, 10**6, 10**7), Policy(guard=0)),
        clock=sim.clock,
        http=sim.http_client(),
    )
    tm = TokenManager(
        db=db, client=client, cipher=load_cipher(None, tmp_path / "k"), clock=sim.clock
    )
    first, second = sim.athlete_ids()[:2]
    redirect = oauth.Redirect(code=sim.grant(first), state=None, scope=None, error=None)
    oauth.complete(db, client, tm, redirect, sim.clock.now(), check_state=False, capacity=1)
    code = sim.grant(second)
    refused = oauth.Redirect(code=code, state=None, scope=None, error=None)
    with pytest.raises(e.AthleteCapacityExceeded):
        oauth.complete(db, client, tm, refused, sim.clock.now(), check_state=False, capacity=1)
    assert second not in sim.oauth.connected()  # the authorization was withdrawn on Strava
    assert first in sim.oauth.connected()
    log = sim.request_log.items()
    revokes = [r for r in log if r["path"] == "/oauth/revoke"]
    assert [(r["status"], r["token_outside_header"]) for r in revokes] == [(200, False)]
    assert not [r for r in log if r["path"] == "/oauth/deauthorize"]
    client.get_athlete(tm.access_token(first), priority=Priority.INTERACTIVE)  # untouched
