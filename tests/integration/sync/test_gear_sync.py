"""Gear over real HTTP: a sync stores each athlete's bikes and shoes by name; retired gear (on
old activities, not in GET /athlete) is read by GET /gear/{id}; the weekly refresh reads the
list again; without profile:read_all every gear is read one by one. SQLite and PostgreSQL."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.store.mirror import gear as gear_q
from stravasync.store.schema import sync_state

START = datetime(2026, 3, 2, 9, 3, tzinfo=UTC)  # clear of the quarter-hour guard
FULL = "read,activity:read_all,profile:read_all"


class LateApp:
    """An ASGI app served before the lab that owns the simulator exists."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@contextmanager
def served(app: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# polling once a day and gear read again every 2 days: few wakeups in the days the test moves on
QUIET = {
    "rate_tier": "unlimited",
    "sync_skip_hours": 20,
    "sync_active_hours": 24,
    "sync_dormant_hours": 24,
    "sync_everyone_hours": 24,
    "sync_gear_refresh_days": 2,
}


@contextmanager
def http_lab(db_url: str, tmp_path: Path, scope: str) -> Iterator[Lab]:
    late = LateApp()
    with served(late) as url:
        lab = Lab(
            db_url=db_url,
            sim_config=SimConfig(
                seed=4,  # one athlete's retired shoes are on an activity of these 60 days
                athletes=4,
                history_days=60,
                quota="unlimited",
                late_connect_fraction=0.0,
                heavy_fraction=0.0,
            ),
            start=START,
            work_dir=tmp_path,
            webhooks=False,
            scope=scope,
            overrides=QUIET,
            base_url=url,
        )
        late.app = lab.sim.app
        try:
            for athlete_id in lab.sim.athlete_ids():
                lab.connect(athlete_id)
            lab.run_until_idle()
            yield lab
        finally:
            lab.close()


def requests(lab: Lab, name: str) -> int:
    return sum(lab.sim.requests.by_endpoint().get(f"GET /api/v3/{name}", {}).values())


def worn(lab: Lab, athlete_id: int) -> set[str]:
    return {a["gear_id"] for a in lab.sim.truth(athlete_id) if a["gear_id"]}


@pytest.mark.slow
def test_sync_stores_gear_by_name_and_reads_retired_gear_by_id(db_url: str, tmp_path: Path) -> None:
    with http_lab(db_url, tmp_path, FULL) as lab:
        retired_worn = 0
        for athlete_id in lab.sim.athlete_ids():
            profile = lab.sim.world.profile(athlete_id)
            truth = {g.id: g for g in (*profile.bikes, *profile.shoes)}
            with lab.db.engine.connect() as conn:
                rows = {r["id"]: r for r in gear_q.for_athlete(conn, athlete_id)}
            expected = {g for g, v in truth.items() if not v.retired} | worn(lab, athlete_id)
            assert set(rows) == expected, athlete_id
            for gear_id, row in rows.items():
                g = truth[gear_id]
                assert row["name"] == g.name and row["retired"] == g.retired
                assert row["kind"] == ("bike" if g.is_bike else "shoe")
                assert (row["brand"], row["model"]) == (g.brand, g.model)  # described once
                assert row["is_primary"] == (g.primary and not g.retired)
            retired_worn += sum(1 for g in rows.values() if g["retired"])
        assert retired_worn  # the world holds retired gear that activities name: not vacuous
        athletes = len(lab.sim.athlete_ids())
        assert requests(lab, "athlete") == athletes  # one listing each
        described = requests(lab, "gear/{id}")
        with lab.db.engine.connect() as conn:
            stored = sum(gear_q.count(conn, a) for a in lab.sim.athlete_ids())
        assert described == stored  # each gear described once, no more

        # a day later nothing is read again; past the refresh the list is read once more
        lab.advance(86400, step=86400)
        assert requests(lab, "athlete") == athletes
        lab.advance(2 * 86400, step=86400)
        assert requests(lab, "athlete") == 2 * athletes
        assert requests(lab, "gear/{id}") == described + retired_worn  # retired: weekly too
        with lab.db.engine.connect() as conn:
            listed = conn.execute(select(sync_state.c.gear_listed_at)).scalars().all()
        assert all(t is not None and t > START for t in listed)


def test_without_profile_read_all_each_worn_gear_is_read_by_id(db_url: str, tmp_path: Path) -> None:
    with http_lab(db_url, tmp_path, "read,activity:read_all") as lab:
        assert requests(lab, "athlete") == 0
        for athlete_id in lab.sim.athlete_ids():
            profile = lab.sim.world.profile(athlete_id)
            names = {g.id: g.name for g in (*profile.bikes, *profile.shoes)}
            with lab.db.engine.connect() as conn:
                rows = gear_q.for_athlete(conn, athlete_id)
                assert gear_q.names(conn, athlete_id, worn(lab, athlete_id)) == {
                    g: names[g] for g in worn(lab, athlete_id)
                }
            assert {r["id"] for r in rows} == worn(lab, athlete_id)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_gear_can_be_switched_off(db_url: str, tmp_path: Path) -> None:
    late = LateApp()
    with served(late) as url:
        lab = Lab(
            db_url=db_url,
            sim_config=SimConfig(seed=5, athletes=2, history_days=30, quota="unlimited"),
            start=START,
            work_dir=tmp_path,
            webhooks=False,
            scope=FULL,
            overrides={"rate_tier": "unlimited", "sync_gear": False},
            base_url=url,
        )
        late.app = lab.sim.app
        try:
            for athlete_id in lab.sim.athlete_ids():
                lab.connect(athlete_id)
            lab.run_until_idle()
            assert requests(lab, "athlete") == requests(lab, "gear/{id}") == 0
        finally:
            lab.close()
