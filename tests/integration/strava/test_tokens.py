"""TokenManager on SQLite and PostgreSQL: refresh, single flight, durability, revocation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.store.people import athletes as athlete_q
from stravasync.store.schema import notifications
from stravasync.store.schema import tokens as tokens_table
from stravasync.strava.client import StravaClient
from stravasync.strava.crypto import TokenCipher, load_cipher
from stravasync.strava.errors import TokenRevoked
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy
from stravasync.strava.tokens import TokenManager
from tests.integration.strava.oauth_double import OAuthDouble

START = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)


def manager(db: Database, double: OAuthDouble, cipher: TokenCipher) -> TokenManager:
    client = StravaClient(
        base_url="http://strava.test",
        client_id="1",
        client_secret="s",
        budget=MemoryBudget(Limits(1000, 10000, 1000, 10000), Policy(guard=0)),
        clock=double.clock,
        http=double.http(),
    )
    return TokenManager(db=db, client=client, cipher=cipher, clock=double.clock, margin=600)


@pytest.fixture
def cipher(tmp_path: Path) -> TokenCipher:
    return load_cipher(None, tmp_path / "secret.key")


def connect(tm: TokenManager, double: OAuthDouble, athlete_id: int = 7) -> str:
    token = tm.client.exchange_code(double.grant(athlete_id))
    tm.store_new(token, double.clock.now(), scope="read,activity:read_all")
    return token.access_token


def test_expiry_refreshes_and_persists_the_rotated_token(db: Database, cipher: TokenCipher) -> None:
    double = OAuthDouble(VirtualClock(START))
    tm = manager(db, double, cipher)
    first = connect(tm, double)
    assert tm.access_token(7) == first  # fresh: no refresh
    double.clock.advance(6 * 3600 - 300)  # within the 600 s margin
    second = tm.access_token(7)
    assert second != first and double.refresh_calls == 1
    with db.engine.connect() as conn:
        row = conn.execute(select(tokens_table)).mappings().one()
    assert cipher.decrypt(row["refresh_token_enc"]) in double.refresh_tokens
    assert row["refresh_owner"] is None
    assert "access-" not in row["access_token_enc"]  # encrypted at rest


def test_concurrent_refresh_is_single_flight_across_managers(
    db_url: str, cipher: TokenCipher
) -> None:
    double = OAuthDouble(VirtualClock(START), delay=0.2)
    handles = [Database.open(db_url, upgrade=False) for _ in range(2)]
    managers = [manager(h, double, cipher) for h in handles]  # two "processes"
    connect(managers[0], double)
    double.clock.advance(6 * 3600)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker(tm: TokenManager) -> None:
        try:
            results.append(tm.access_token(7))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(managers[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert double.refresh_calls == 1
    assert len(set(results)) == 1 and len(results) == 8
    for h in handles:
        h.close()


def test_a_crash_right_after_refresh_loses_nothing(db_url: str, cipher: TokenCipher) -> None:
    double = OAuthDouble(VirtualClock(START))
    db = Database.open(db_url, upgrade=False)
    tm = manager(db, double, cipher)
    connect(tm, double)
    double.clock.advance(6 * 3600)
    tm.access_token(7)  # refreshed; the process "dies" before using it
    db.engine.dispose()
    restarted = Database.open(db_url, upgrade=False)
    tm2 = manager(restarted, double, cipher)
    double.clock.advance(6 * 3600)
    assert tm2.access_token(7).startswith("access-7-")  # the stored refresh token still works
    assert double.refresh_calls == 2
    restarted.close()


def test_revoked_refresh_token_marks_the_athlete(db: Database, cipher: TokenCipher) -> None:
    double = OAuthDouble(VirtualClock(START))
    tm = manager(db, double, cipher)
    connect(tm, double)
    double.revoke_athlete(7)
    double.clock.advance(6 * 3600)
    with pytest.raises(TokenRevoked) as info:
        tm.access_token(7)
    assert info.value.athlete_id == 7
    with db.engine.connect() as conn:
        athlete = athlete_q.get_athlete(conn, 7)
    assert athlete is not None and athlete["status"] == "reconnect_needed"
    with pytest.raises(TokenRevoked):  # no more refresh attempts once marked
        tm.access_token(7)
    assert double.refresh_calls == 1
    connect(tm, double)  # reconnecting makes the athlete active again
    assert tm.access_token(7).startswith("access-7-")


@pytest.mark.parametrize("notify", [True, False])
def test_a_rejected_refresh_token_notifies_in_the_same_transaction(
    db: Database, cipher: TokenCipher, notify: bool
) -> None:
    double = OAuthDouble(VirtualClock(START))
    tm = manager(db, double, cipher)
    tm.notify = notify
    connect(tm, double)
    double.revoke_athlete(7)
    double.clock.advance(6 * 3600)
    with pytest.raises(TokenRevoked):
        tm.access_token(7)
    with db.engine.connect() as conn:
        rows = conn.execute(select(notifications)).mappings().all()
        athlete = athlete_q.get_athlete(conn, 7)
    assert athlete is not None and athlete["status"] == "reconnect_needed"
    expected = [("athlete.reconnect_needed", 7, athlete["updated_at"])] if notify else []
    assert [(r["event"], r["athlete_id"], r["created_at"]) for r in rows] == expected


def test_a_401_with_a_current_token_refreshes_once(db: Database, cipher: TokenCipher) -> None:
    double = OAuthDouble(VirtualClock(START))
    tm = manager(db, double, cipher)
    first = connect(tm, double)
    double.access_tokens.pop(first)  # Strava forgot it (e.g. expired early)
    fresh = tm.handle_unauthorized(7, first)
    assert fresh != first and double.refresh_calls == 1
    assert tm.handle_unauthorized(7, first) == fresh  # a second caller reuses it
    assert double.refresh_calls == 1
