"""A burst of good and bad webhook events against a real ``stravasync serve`` (real HTTP, SQLite
and PostgreSQL): 290 valid events and 44 bad ones sent concurrently, so they share the inbox's
group commits. Every valid one is answered 200 and stored, every bad one gets a 400 Problem and
stores nothing, no answer is a 5xx, and rows stored before are unchanged.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.operator import admin as admin_q
from stravasync.store.schema import webhook_events
from stravasync.sync.settings import WEBHOOK_SUBSCRIPTION_KEY
from tests.e2e.serveproc import serve

pytestmark = pytest.mark.slow
SUBSCRIPTION = 9_100_200
BIG = 2**63


def event(act: int, **over: Any) -> dict[str, Any]:
    return {
        "object_type": "activity",
        "object_id": act,
        "aspect_type": "update",
        "owner_id": 31,
        "subscription_id": SUBSCRIPTION,
        "event_time": 1_780_000_000 + act,
        "updates": {"title": f"ride {act}"},
        **over,
    }


def bad_bodies() -> list[bytes]:
    out: list[bytes] = []
    for n in range(4):
        for field in ("object_id", "owner_id", "subscription_id", "event_time"):
            out.append(json.dumps(event(1, **{field: BIG + n})).encode())
        out.append(json.dumps(event(1, object_id=-(n + 1))).encode())
        out.append(json.dumps(event(1, owner_id=0)).encode())
        out.append(json.dumps(event(1, updates={"title": {"nested": n}})).encode())
        out.append(json.dumps(event(1, updates={"title": "\ud800"})).encode())
        out.append(json.dumps(event(1, object_id=str(n + 1))).encode())
        out.append(json.dumps(event(1, updates={str(i): "x" for i in range(17 + n)})).encode())
        nan = json.dumps(event(1)).replace('"ride 1"', "NaN")
        out.append(nan.encode())
    return out


async def post_all(url: str, bodies: list[bytes]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    sem = asyncio.Semaphore(40)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one(body: bytes) -> httpx.Response:
            async with sem:
                headers = {"Content-Type": "application/json"}
                return await client.post(url, content=body, headers=headers)

        return list(await asyncio.gather(*(one(b) for b in bodies)))


def inbox_rows(db: Database) -> dict[int, dict[str, Any]]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(webhook_events)).mappings()
        return {int(r["object_id"]): dict(r) for r in rows}


def test_bad_events_fail_alone_in_a_concurrent_burst(db_url: str, tmp_path: Path) -> None:
    db = Database.open(db_url, upgrade=False)
    with db.transaction() as conn:
        admin_q.put_setting(conn, WEBHOOK_SUBSCRIPTION_KEY, SUBSCRIPTION, now=datetime.now(UTC))
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=db_url,
        STRAVASYNC_SCHEDULER="false",  # the web role only: stored events stay as received
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
        STRAVASYNC_LOG_LEVEL="WARNING",
    )
    with serve(env, tmp_path) as svc:
        hook = svc.url + "/webhooks/strava"
        earlier = [event(i) for i in range(1, 11)]
        answers = asyncio.run(post_all(hook, [json.dumps(e).encode() for e in earlier]))
        assert {r.status_code for r in answers} == {200}
        before = inbox_rows(db)
        assert sorted(before) == list(range(1, 11))

        valid = [event(1000 + i) for i in range(290)]
        for e in valid[::29]:  # PostgreSQL's JSON cannot hold NUL: dropped, not a 5xx
            e["updates"] = {"title": "nul\u0000here"}
        bad = bad_bodies()
        tagged = [(True, json.dumps(e).encode()) for e in valid] + [(False, b) for b in bad]
        random.Random(5).shuffle(tagged)
        answers = asyncio.run(post_all(hook, [b for _, b in tagged]))

    by_kind: dict[bool, list[httpx.Response]] = {True: [], False: []}
    for (ok, _), resp in zip(tagged, answers, strict=True):
        by_kind[ok].append(resp)
    assert len(bad) == 44
    assert [(r.status_code, r.json()) for r in by_kind[True]] == [
        (200, {"status": "received"})
    ] * 290
    assert {r.status_code for r in by_kind[False]} == {400}
    assert all(set(r.json()) == {"error", "detail"} for r in by_kind[False])
    assert {r.json()["error"] for r in by_kind[False]} == {"bad_request"}

    after = inbox_rows(db)
    db.close()
    assert set(after) == set(before) | {e["object_id"] for e in valid}
    assert {k: after[k] for k in before} == before
    nul = {e["object_id"] for e in valid[::29]}
    assert {after[k]["updates_json"]["title"] for k in nul} == {"nulhere"}
