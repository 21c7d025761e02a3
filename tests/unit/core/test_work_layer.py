"""The generic work layer's pure decisions: failure descriptions, loop backoff, dead owners,
the heartbeat, and the time a leased row can next be claimed."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine
from sqlalchemy.exc import IntegrityError

from stravasync.work import Heartbeat, backoff_seconds, dead_local, describe, leases
from stravasync.work.owners import parse_owner

NOW = datetime(2026, 6, 10, 12, 0)


def test_describe_names_the_failure_without_sql_or_row_values() -> None:
    exc = IntegrityError(
        "INSERT INTO tokens (access) VALUES (?)",
        ("secret-token-value",),
        sqlite3.IntegrityError("x"),
    )
    text = describe(exc)
    assert text == "internal error: IntegrityError: x"
    assert "secret-token-value" not in text and "INSERT" not in text
    assert describe(OverflowError("too big\nmore")) == "internal error: OverflowError: too big"
    assert describe(KeyError()) == "internal error: KeyError"
    assert len(describe(ValueError("v" * 1000))) == 300


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_seconds(n, cap=60) for n in range(9)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]


def test_dead_local_owners_are_this_hosts_gone_pids_only() -> None:
    owners = ["web1:100:aa", "web1:200:bb", "web2:100:cc", "w1", "web1:x:dd", "a:b:300:ee"]
    alive = {200}.__contains__
    assert dead_local(owners, host="web1", alive=alive) == {"web1:100:aa"}
    assert dead_local(owners, host="a:b", alive=alive) == {"a:b:300:ee"}  # host names with ':'
    assert parse_owner("w1") is None


def test_heartbeat_renews_while_held_and_reports_a_lost_lease() -> None:
    beats = threading.Semaphore(0)
    answers = iter([True, True, False])

    def renew() -> bool:
        beats.release()
        return next(answers)

    heartbeat = Heartbeat(every=0.01)
    with heartbeat.hold(renew) as hb:
        for _ in range(3):
            assert beats.acquire(timeout=5)
        deadline = time.monotonic() + 5
        while not hb.lost and time.monotonic() < deadline:
            time.sleep(0.01)
    assert hb.lost is True and hb.beats == 3

    def failing() -> bool:
        raise OSError("database hiccup")

    with heartbeat.hold(failing) as hb2:  # the same thread serves the next unit
        assert hb2.lost is False  # a new unit starts with its lease held
        time.sleep(0.05)
    assert hb2.lost is False  # a failed renewal is retried, never taken for a lost lease
    quiet = hb2.beats
    time.sleep(0.05)
    assert hb2.beats == quiet  # nothing held: no beats
    heartbeat.close()


def test_next_claimable_is_the_later_of_due_time_and_a_live_lease() -> None:
    md = MetaData()
    t = Table(
        "t",
        md,
        Column("id", Integer, primary_key=True),
        Column("due_at", DateTime),
        Column("lease_owner", String),
        Column("lease_expires_at", DateTime),
    )
    engine = create_engine("sqlite://")
    md.create_all(engine)
    lease_end = NOW + timedelta(seconds=20)

    def put(*rows: tuple[int, datetime, str | None, datetime | None]) -> datetime | None:
        with engine.begin() as conn:
            conn.execute(t.delete())
            conn.execute(
                t.insert(),
                [
                    dict(zip(("id", "due_at", "lease_owner", "lease_expires_at"), r, strict=True))
                    for r in rows
                ],
            )
            return leases.next_claimable(conn, t)

    assert put() is None
    assert put((1, NOW, None, None)) == NOW  # free: its due time
    assert put((1, NOW, "w", lease_end)) == lease_end  # leased past due: the lease's end
    # an expired lease no longer holds it: its due time
    assert put((1, NOW, "w", NOW - timedelta(seconds=1))) == NOW
    # the earliest of a lease ending and a later free row
    assert put((1, NOW, "w", lease_end), (2, NOW + timedelta(hours=1), None, None)) == lease_end
    assert put((1, NOW, "w", lease_end), (2, NOW + timedelta(seconds=5), None, None)) == (
        NOW + timedelta(seconds=5)
    )
