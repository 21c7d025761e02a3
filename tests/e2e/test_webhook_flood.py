"""A flood of forged webhook events against a real ``stravasync serve`` and ``stravasync
simulate`` (real HTTP, SQLite and PostgreSQL): an attacker who knows the subscription id and an
athlete's id posts a few hundred creates naming activities that do not exist and updates naming
one that does. The reads they cost are counted where Strava counts them (the simulator), and a
real edit the athlete makes during the flood still reaches the mirror within 30 s (and the
other athlete's, made at the same time, with it).

Before unconfirmed events were bounded, each forged create cost one read (a GET answering 404)
until the webhook class had spent its window (about 100 reads on the default quota), and the
real edit waited behind them for the next window.
"""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.schema import activities
from tests.e2e.serveproc import serve, wait_until
from tests.e2e.simproc import SimProcess, cli_env, run_cli, simulator

pytestmark = pytest.mark.slow
VERIFY = "e2e-flood-verify"
FORGED = 200  # forged creates, plus FORGED // 4 forged updates of a held activity
# a real edit during the flood reaches the mirror within this (wall seconds): an edit of a held
# activity is its own GET, not a place behind the forged creates (measured 6.7 s on a loaded
# machine; 26-29 s when it waited for the athlete's next listing, past 75 s before the
# allowances)
REAL_WAIT_S = 30
# reads the flood may cost: one athlete's allowance in a quarter hour (4 listings that confirm
# nothing and 2 single reads: STRAVASYNC_WEBHOOK_ATHLETE_LISTINGS / _READS) plus the real
# edit's GET (measured: 4, one listing, the lone first create's GET, one forged update's GET
# and the real edit's)
MAX_FLOOD_READS = 7


def reads(sim: SimProcess) -> dict[str, int]:
    """Requests Strava counted so far, by endpoint template (every status)."""
    return {k: sum(v.values()) for k, v in sim.stats()["requests"].items()}


def rename(sim: SimProcess, activity_id: int, name: str) -> None:
    """The athlete renames an activity on Strava, which sends the (real) update event."""
    with sim.http() as c:
        edit = {"fields": {"name": name}, "event": {"title": name}}
        c.post(f"/_sim/activities/{activity_id}/edit", json=edit).raise_for_status()
        c.post("/_sim/clock", json={"advance": 2}).raise_for_status()


def name_of(db: Database, activity_id: int) -> str | None:
    with db.engine.connect() as conn:
        stmt = select(activities.c.name).where(activities.c.id == activity_id)
        return conn.execute(stmt).scalar()


def newest(db: Database, athlete_id: int) -> int:
    with db.engine.connect() as conn:
        stmt = (
            select(activities.c.id)
            .where(activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None))
            .order_by(activities.c.start_date.desc())
            .limit(1)
        )
        return int(conn.execute(stmt).scalar_one())


def test_a_forged_flood_costs_a_bounded_number_of_reads(db_url: str, tmp_path: Path) -> None:
    with simulator("--virtual", "--athletes", "2", "--seed", "4", "--quota", "unlimited",
                   "--history-days", "30") as sim:  # fmt: skip
        env = cli_env(
            sim,
            db_url,
            tmp_path,
            STRAVASYNC_RATE_TIER="default",  # the quota the attack run measured
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
            victim, spared = ids
            for athlete_id in ids:
                assert wait_until(partial(synced, sim, db, athlete_id), 60)
            held, spared_held = newest(db, victim), newest(db, spared)
            time.sleep(2)  # the backfill's last requests are counted before the flood starts
            before = reads(sim)

            def event(object_id: int, aspect: str, i: int) -> dict[str, Any]:
                return {"aspect_type": aspect, "updates": {}, "subscription_id": sub_id,
                        "event_time": 1_780_000_000 + i, "object_type": "activity",
                        "object_id": object_id, "owner_id": victim}  # fmt: skip

            forged = [event(9_000_000_000 + i, "create", i) for i in range(FORGED)]
            forged += [event(held, "update", i) for i in range(FORGED // 4)]
            started = time.monotonic()
            with httpx.Client(timeout=30) as client:
                for i, body in enumerate(forged):
                    assert client.post(hook, json=body).status_code == 200
                    if i == len(forged) // 2:  # both athletes rename their newest activity
                        rename(sim, held, "Real edit")
                        rename(sim, spared_held, "Spared edit")
                        edited = time.monotonic()
            posted = time.monotonic() - started
            ok = wait_until(lambda: name_of(db, held) == "Real edit", REAL_WAIT_S, 0.2)
            latency = time.monotonic() - edited
            spared_ok = wait_until(lambda: name_of(db, spared_held) == "Spared edit", 5, 0.2)
            time.sleep(5)  # what the flood still costs once the edit is in
            after = reads(sim)
            spent = {k: after.get(k, 0) - before.get(k, 0) for k in after}
            spent = {k: v for k, v in spent.items() if v}
            total = sum(v for k, v in spent.items() if k.startswith("GET /api/v3/"))
            print(f"\n{len(forged)} forged events posted in {posted:.1f} s; reads spent: "
                  f"{total} {spent}; real edit mirrored: {ok} after {latency:.1f} s")  # fmt: skip
            assert ok, f"real edit not mirrored within {REAL_WAIT_S} s; reads: {spent}"
            assert spared_ok, "the athlete who was not flooded: edit not mirrored"
            assert total <= MAX_FLOOD_READS + 1, spent  # + the spared athlete's edit
        db.close()


def synced(sim: SimProcess, db: Database, athlete_id: int) -> bool:
    return sim.truth_ids(athlete_id) <= mirrored_ids(db, athlete_id)


def mirrored_ids(db: Database, athlete_id: int) -> set[int]:
    with db.engine.connect() as conn:
        stmt = select(activities.c.id).where(
            activities.c.athlete_id == athlete_id, activities.c.deleted_at.is_(None)
        )
        return set(conn.execute(stmt).scalars())
