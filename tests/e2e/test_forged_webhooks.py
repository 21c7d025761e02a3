"""Forged webhook events against a real ``stravasync serve`` and ``stravasync simulate`` (real
HTTP, SQLite and PostgreSQL): an attacker who knows the subscription id, the athletes and their
activities posts a deauthorization, a delete and a title edit. Every answer is the same as for a
real event, the engine checks each one with Strava, and no stored row changes. A real
deauthorization, sent by the simulator, still stops the athlete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from stravasync.store import Database
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import activities, webhook_events
from tests.e2e.serveproc import serve, wait_until
from tests.e2e.simproc import SimProcess, cli_env, run_cli, simulator

pytestmark = pytest.mark.slow
VERIFY = "e2e-forged-verify"


def content(db: Database) -> dict[int, tuple[Any, ...]]:
    """Each activity row's content (bookkeeping times left out: a GET confirms a row)."""
    cols = (activities.c.id, activities.c.athlete_id, activities.c.name, activities.c.summary_json,
            activities.c.deleted_at)  # fmt: skip
    with db.engine.connect() as conn:
        return {r.id: tuple(r) for r in conn.execute(select(*cols))}


def statuses(db: Database, ids: list[int]) -> list[str]:
    with db.engine.connect() as conn:
        return [str((athletes_q.get_athlete(conn, a) or {}).get("status")) for a in ids]


def pending(db: Database) -> int:
    with db.engine.connect() as conn:
        stmt = select(func.count()).where(webhook_events.c.state == "pending")
        return int(conn.execute(stmt).scalar_one())


def mirrored(db: Database, sim: SimProcess, athlete_id: int) -> bool:
    with db.engine.connect() as conn:
        stmt = select(activities.c.id).where(
            activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None)
        )
        return set(conn.execute(stmt).scalars()) == sim.truth_ids(athlete_id)


def test_forged_events_are_answered_alike_and_change_no_row(db_url: str, tmp_path: Path) -> None:
    with simulator("--virtual", "--athletes", "2", "--seed", "4", "--quota", "unlimited",
                   "--history-days", "30") as sim:  # fmt: skip
        env = cli_env(
            sim,
            db_url,
            tmp_path,
            STRAVASYNC_RATE_TIER="unlimited",
            STRAVASYNC_SYNC_ENRICH="false",
            STRAVASYNC_WEBHOOK_VERIFY_TOKEN=VERIFY,
        )
        with sim.http() as c:
            ids = sorted(a["id"] for a in c.get("/_sim/athletes").json())
        for athlete_id in ids:
            out = run_cli(["auth", "--code", sim.grant(athlete_id), "--no-listen"], env, tmp_path)
            assert out.returncode == 0, out.stderr
        db = Database.open(db_url, upgrade=False)
        with serve(env, tmp_path) as svc:
            hook = svc.url + "/webhooks/strava"
            sub = run_cli(["webhooks", "subscribe", "--callback-url", hook], env, tmp_path)
            assert sub.returncode == 0, sub.stderr
            listed = json.loads(run_cli(["webhooks", "list", "--json"], env, tmp_path).stdout)
            sub_id = int(listed[0]["id"])
            assert all(wait_until(lambda a=a: mirrored(db, sim, a), 60) for a in ids)
            victim, other = ids
            acts = sorted(sim.truth_ids(victim))
            foreign = sorted(sim.truth_ids(other))[0]
            assert wait_until(lambda: pending(db) == 0, 30)
            before = content(db)

            def event(**kw: Any) -> dict[str, Any]:
                return {"aspect_type": "update", "updates": {}, "subscription_id": sub_id,
                        "event_time": 1_780_000_000, "object_type": "activity",
                        "owner_id": victim, **kw}  # fmt: skip

            forged = [
                event(object_type="athlete", object_id=victim, updates={"authorized": "false"}),
                event(object_id=acts[0], aspect_type="delete"),
                event(object_id=acts[1], updates={"title": "pwned"}),
                event(object_id=foreign, aspect_type="create"),
                event(object_id=foreign, aspect_type="delete"),
            ]
            probes = [
                forged[0],  # a redelivery
                {**forged[1], "subscription_id": sub_id + 1},
                {**forged[2], "subscription_id": 1},
            ]
            answers = set()
            with httpx.Client(timeout=30) as client:
                for body in forged + probes:
                    resp = client.post(hook, json=body)
                    answers.add((resp.status_code, resp.content, resp.headers["content-type"]))
            assert answers == {(200, b'{"status":"received"}', "application/json")}
            assert wait_until(lambda: pending(db) == 0, 30), svc.log.read_text()
            with db.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(webhook_events)).scalar() == 5
            assert statuses(db, ids) == ["active", "active"]
            assert content(db) == before
            assert all(mirrored(db, sim, a) for a in ids)

            # the real thing: Strava ends the authorization and sends the event
            with sim.http() as c:
                c.post(f"/_sim/athletes/{victim}/deauthorize").raise_for_status()
            assert wait_until(lambda: statuses(db, ids) == ["deauthorized", "active"], 30)
        db.close()
