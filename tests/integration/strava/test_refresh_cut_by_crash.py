"""A refresh cut by a crash (issue 25): the exposure, and single-flight retries after it.

Against the simulator (rotating refresh tokens: the old one is refused once a new pair was
issued), counting its ``POST /oauth/token`` requests, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.store.people import athletes as athlete_q
from stravasync.store.people import tokens as token_q
from stravasync.strava.client import StravaClient
from stravasync.strava.crypto import TokenCipher, load_cipher
from stravasync.strava.errors import TokenRevoked
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy
from stravasync.strava.tokens import TokenManager

START = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
LOCK_TTL = 120.0


@pytest.fixture
def sim() -> Simulator:
    return Simulator(
        SimConfig(seed=3, athletes=2, history_days=30, quota="unlimited"),
        clock=VirtualClock(START),
    )


@pytest.fixture
def cipher(tmp_path: Path) -> TokenCipher:
    return load_cipher(None, tmp_path / "secret.key")


def _manager(sim: Simulator, db: Database, cipher: TokenCipher, owner: str) -> TokenManager:
    client = StravaClient(
        base_url="http://sim.test",
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        budget=MemoryBudget(Limits(10**6, 10**7, 10**6, 10**7), Policy(guard=0)),
        clock=sim.clock,
        http=sim.http_client(),
    )
    return TokenManager(
        db=db, client=client, cipher=cipher, clock=sim.clock, lock_ttl=LOCK_TTL, owner=owner
    )


def _token_posts(sim: Simulator) -> dict[str, int]:
    return next(
        (v for k, v in sim.stats()["requests"].items() if "oauth/token" in k and "POST" in k), {}
    )


def test_retries_after_a_refresh_lost_in_a_crash_send_one_refresh(
    sim: Simulator, db_url: str, cipher: TokenCipher
) -> None:
    handles = [Database.open(db_url, upgrade=False) for _ in range(3)]
    dead = _manager(sim, handles[0], cipher, owner="host-a:1:dead")
    athlete = sim.athlete_ids()[0]
    stored = dead.client.exchange_code(sim.grant(athlete, "read,activity:read_all"))
    dead.store_new(stored, sim.clock.now(), scope="read,activity:read_all")
    # the crash: the lock taken, the refresh answered by Strava, the process gone before saving
    sim.clock.advance(6 * 3600)
    with handles[0].transaction() as conn:
        now = sim.clock.now()
        assert token_q.try_lock(
            conn, athlete, dead.owner, now=now, until=now + timedelta(seconds=LOCK_TTL)
        )
    dead.client.refresh(stored.refresh_token)  # the new pair exists only at Strava now
    sim.clock.advance(LOCK_TTL + 1)  # the dead process's refresh lock runs out
    before = sum(_token_posts(sim).values())

    # two processes restart, four threads each need the athlete's token
    survivors = [
        _manager(sim, h, cipher, owner=f"host-b:{i}:live") for i, h in enumerate(handles[1:])
    ]
    outcomes: list[BaseException | str] = []
    lock = threading.Lock()
    go = threading.Barrier(8)

    def caller(tm: TokenManager) -> None:
        go.wait()
        try:
            result: BaseException | str = tm.access_token(athlete)
        except BaseException as exc:
            result = exc
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=caller, args=(survivors[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    posts = _token_posts(sim)
    assert sum(posts.values()) - before == 1, posts  # one refresh answered 400, not one each
    assert len(outcomes) == 8 and all(isinstance(o, TokenRevoked) for o in outcomes), outcomes
    with handles[1].engine.connect() as conn:
        assert athlete_q.get_athlete(conn, athlete)["status"] == "reconnect_needed"
        assert token_q.get(conn, athlete).refresh_owner is None  # type: ignore[union-attr]
    for h in handles:
        h.close()


class Killed(BaseException):
    """The process dies (SIGKILL) at this point."""


class DiesOnReconcile(MemoryBudget):
    """A budget whose reconcile, the first thing done with an answer until now, is where the
    process is killed."""

    def reconcile(self, headers: Any, now: datetime, *, sent_at: datetime | None = None) -> None:
        raise Killed


def test_the_rotated_pair_is_committed_before_anything_else_is_done_with_the_answer(
    sim: Simulator, db: Database, cipher: TokenCipher
) -> None:
    tm = _manager(sim, db, cipher, owner="host-a:1:a")
    athlete = sim.athlete_ids()[0]
    first = tm.client.exchange_code(sim.grant(athlete, "read,activity:read_all"))
    tm.store_new(first, sim.clock.now(), scope="read,activity:read_all")
    sim.clock.advance(6 * 3600)
    tm.client.transport.budget = DiesOnReconcile(Limits(10**6, 10**7, 10**6, 10**7))
    with pytest.raises(Killed):
        tm.access_token(athlete)  # Strava rotated; the process dies reading the headers
    restarted = _manager(sim, db, cipher, owner="host-b:2:b")
    with db.engine.connect() as conn:
        stored = token_q.get(conn, athlete)
    assert stored is not None and cipher.decrypt(stored.refresh_token_enc) != first.refresh_token
    token = restarted.access_token(athlete)  # the committed pair: no refresh needed
    assert token != first.access_token
    sim.clock.advance(6 * 3600)
    assert restarted.access_token(athlete) != token  # and its refresh token is Strava's current
    with db.engine.connect() as conn:
        assert athlete_q.get_athlete(conn, athlete)["status"] == "active"  # type: ignore[index]
