"""No token, code or client secret reaches the log, with every logger at DEBUG.

Unlike the unit test of the redaction filter, this drives the real paths that handle secrets
(code exchange, token storage, expiry and refresh, API calls with the Bearer header, a 401 from
a deauthorized athlete) against the simulator, with httpx's and httpcore's own DEBUG logging on,
and looks for every secret that went over the wire in what was written.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.config import LogFormat
from stravasync.logsetup import configure_logging
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.strava.client import StravaClient
from stravasync.strava.crypto import load_cipher
from stravasync.strava.errors import Unauthorized
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority
from stravasync.strava.tokens import TokenManager

START = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)


@pytest.fixture(params=[LogFormat.JSON, LogFormat.HUMAN], ids=["json", "human"])
def log_stream(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """Our handler (on the ``stravasync`` logger) plus a plain, unredacted one on httpx and
    httpcore, as an operator who turns on library logging would have."""
    stream = io.StringIO()
    configure_logging(request.param, "DEBUG", stream=stream)
    plain = logging.StreamHandler(stream)
    libraries = [logging.getLogger(name) for name in ("httpx", "httpcore")]
    for logger in libraries:
        logger.addHandler(plain)
        logger.setLevel(logging.DEBUG)
    yield stream
    for logger in libraries:
        logger.removeHandler(plain)
        logger.setLevel(logging.NOTSET)
    configure_logging(LogFormat.HUMAN, "WARNING")


def test_exchange_refresh_calls_and_401_log_no_secret(
    db: Database, tmp_path: Path, log_stream: io.StringIO
) -> None:
    sim = Simulator(
        SimConfig(seed=4, athletes=1, history_days=30, quota="unlimited"),
        clock=VirtualClock(START),
    )
    wire: list[str] = []  # every token and code seen in a request or response body

    def keep(response: httpx.Response) -> None:
        response.read()
        if response.request.url.path.endswith("/oauth/token"):
            body = response.json()
            wire.extend(str(body[k]) for k in ("access_token", "refresh_token") if k in body)
            wire.extend(p.split("=", 1)[1] for p in response.request.content.decode().split("&")
                        if p.startswith(("code=", "refresh_token=")))  # fmt: skip

    http = sim.http_client(event_hooks={"response": [keep]})
    client = StravaClient(
        base_url="http://sim.test",
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        budget=MemoryBudget(Limits(10**6, 10**7, 10**6, 10**7), Policy(guard=0)),
        clock=sim.clock,
        http=http,
    )
    tokens = TokenManager(
        db=db, client=client, cipher=load_cipher(None, tmp_path / "k"), clock=sim.clock, margin=600
    )
    athlete = sim.athlete_ids()[0]
    code = sim.grant(athlete)
    wire.append(code)
    tokens.store_new(client.exchange_code(code), sim.clock.now(), scope="read,activity:read_all")
    client.list_activities(tokens.access_token(athlete), per_page=5, priority=Priority.BACKFILL)
    sim.clock.advance(6 * 3600)  # expired: the next call refreshes and rotates
    fresh = tokens.access_token(athlete)
    client.get_athlete(fresh, priority=Priority.INTERACTIVE)
    sim.deauthorize_athlete(athlete)
    with pytest.raises(Unauthorized):
        client.get_athlete(fresh, priority=Priority.INTERACTIVE)
    logging.getLogger("stravasync.test").debug("client %s", client)  # repr must not leak either

    out = log_stream.getvalue()
    assert len(set(wire)) >= 5  # code, 2 access tokens, 2 refresh tokens (+ the one sent back)
    # the DEBUG output really was captured, ours and the libraries'
    assert "stored tokens" in out and "refreshed access token" in out
    assert "POST http://sim.test/oauth/token" in out
    leaked = [s for s in set(wire) | {sim.client_secret} if s and s in out]
    assert leaked == []
