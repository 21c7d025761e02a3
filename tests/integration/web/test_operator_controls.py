"""Operator controls over real HTTP (uvicorn on a port, SQLite and PostgreSQL): the athlete
switches (auto_sync, hidden) and what they do to the data API and exports, sync everyone now,
reset stuck, and the app-state endpoints. Bad input is refused and changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.store.operator import appstate as appstate_q
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.people import athletes as athlete_q
from stravasync.store.schema import jobs, sync_state
from stravasync.web.app import create_app
from stravasync.web.context import Services
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import (
    START,
    activity,
    add_activities,
    add_athlete,
    admin_headers,
    api_headers,
    fake_stats,
    make_settings,
)

ADMIN = admin_headers()
API = api_headers()


@pytest.fixture
def site(db: Database, db_url: str) -> Iterator[tuple[str, VirtualClock]]:
    clock = VirtualClock(START)
    settings = make_settings(db_url, athlete_capacity=5)
    app = create_app(settings, db, clock=clock, services=Services(stats=fake_stats))
    with serve_in_thread(app) as base:
        yield base, clock


def _row(db: Database, athlete_id: int) -> dict[str, Any]:
    with db.engine.connect() as conn:
        row = athlete_q.get_athlete(conn, athlete_id)
    assert row is not None
    return row


def _state(db: Database, athlete_id: int) -> dict[str, Any]:
    with db.engine.connect() as conn:
        return dict(
            conn.execute(select(sync_state).where(sync_state.c.athlete_id == athlete_id))
            .mappings()
            .one()
        )


def test_switches_refuse_bad_input_and_change_only_what_is_given(
    site: tuple[str, VirtualClock], db: Database
) -> None:
    base, _ = site
    add_athlete(db, 11)
    url = f"{base}/api/admin/athletes/11"
    for bad in ({"auto_sync": "maybe"}, {"hidden": 3}, {"colour": "red"}, [], "x"):
        resp = httpx.patch(url, json=bad, headers=ADMIN)
        assert resp.status_code == 422, (bad, resp.text)
    # strict like the webhook endpoint: no 1 for true, no "yes", no null (issue 25)
    for bad in ({"hidden": 1}, {"auto_sync": "yes"}, {"hidden": None}, {"auto_sync": 0}):
        resp = httpx.patch(url, json=bad, headers=ADMIN)
        assert resp.status_code == 422, (bad, resp.text)
    json_type = {**ADMIN, "Content-Type": "application/json"}
    for raw in (b"null", b""):
        resp = httpx.patch(url, content=raw, headers=json_type)
        assert resp.status_code == 422, (raw, resp.text)
    assert httpx.patch(url, json={"hidden": True}).status_code == 401
    assert (_row(db, 11)["auto_sync"], _row(db, 11)["hidden"]) == (True, False)  # unchanged
    assert httpx.patch(f"{base}/api/admin/athletes/99", json={}, headers=ADMIN).status_code == 404
    out = httpx.patch(url, json={"auto_sync": False}, headers=ADMIN).json()
    assert (out["auto_sync"], out["hidden"]) == (False, False)
    assert _state(db, 11)["parked"] is True  # opted out: out of the claim's indexes
    out = httpx.patch(url, json={"hidden": True}, headers=ADMIN).json()
    assert (out["auto_sync"], out["hidden"]) == (False, True)  # auto_sync left as it was
    assert _state(db, 11)["parked"] is True


def test_hidden_athletes_leave_the_data_api_unless_asked_for(
    site: tuple[str, VirtualClock], db: Database
) -> None:
    base, _ = site
    add_athlete(db, 11)
    add_athlete(db, 12)
    add_activities(db, 11, [activity(1, days_ago=1)])
    add_activities(db, 12, [activity(2, days_ago=1)])
    httpx.patch(f"{base}/api/admin/athletes/12", json={"hidden": True}, headers=ADMIN)

    def get(path: str, **params: Any) -> httpx.Response:
        return httpx.get(base + path, params=params, headers=API)

    assert [a["athlete_id"] for a in get("/api/athletes").json()] == [11]
    listed = get("/api/athletes", include_hidden="true").json()
    assert [(a["athlete_id"], a["hidden"]) for a in listed] == [(11, False), (12, True)]
    assert get("/api/athletes/12/activities").status_code == 404
    assert get("/api/activities/2").status_code == 404
    assert get("/api/athletes/12/stats").status_code == 404
    shown = get("/api/athletes/12/activities", include_hidden="true").json()
    assert [i["id"] for i in shown["items"]] == [2]
    assert get("/api/activities/2", include_hidden="true").status_code == 200
    assert get("/api/athletes/12/stats", include_hidden="true").status_code == 200
    assert [i["id"] for i in get("/api/athletes/11/activities").json()["items"]] == [1]
    assert get("/api/athletes", include_hidden="perhaps").status_code == 422
    # the admin overview still lists everyone
    admin = httpx.get(f"{base}/api/admin/athletes", headers=ADMIN).json()
    assert {a["athlete_id"] for a in admin} == {11, 12}


def test_sync_everyone_and_reset_stuck(site: tuple[str, VirtualClock], db: Database) -> None:
    base, clock = site
    for athlete_id in (11, 12, 13, 14):
        add_athlete(db, athlete_id)
    now = clock.now()
    later = now + timedelta(days=1)
    with db.transaction() as conn:
        athlete_q.set_flags(conn, 12, now=now, auto_sync=False)
        athlete_q.set_status(conn, 13, "reconnect_needed", reason="gone", now=now)
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id.in_([11, 12, 13, 14]))
            .values(due_at=later)
        )
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == 14)
            .values(requested_mode="backfill", dead=True, attempts=6)
        )
    resp = httpx.post(f"{base}/api/admin/sync", json={"mode": "sideways"}, headers=ADMIN)
    assert resp.status_code == 422
    assert _state(db, 11)["requested_mode"] is None  # nothing written
    resp = httpx.post(f"{base}/api/admin/sync", json={"mode": "refresh"}, headers=ADMIN)
    assert resp.json() == {"ok": True, "athletes": 2}
    assert (_state(db, 11)["requested_mode"], _state(db, 11)["due_at"]) == ("refresh", now)
    assert _state(db, 12)["requested_mode"] is None  # opted out
    assert _state(db, 13)["requested_mode"] is None  # not active
    s14 = _state(db, 14)
    assert (s14["requested_mode"], s14["dead"], s14["attempts"]) == ("backfill", False, 0)
    resp = httpx.post(
        f"{base}/api/admin/sync", json={"include_opted_out": True}, headers=ADMIN
    ).json()
    assert resp["athletes"] == 3 and _state(db, 12)["requested_mode"] == "incremental"

    # reset stuck: an expired lease (a dead process) and dead letters of every kind
    with db.transaction() as conn:
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == 11)
            .values(lease_owner="dead-host:1", lease_expires_at=now - timedelta(minutes=1))
        )
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == 12)
            .values(lease_owner="live-host:2", lease_expires_at=now + timedelta(minutes=5))
        )
        conn.execute(update(sync_state).where(sync_state.c.athlete_id == 13).values(dead=True))
        jobs_q.enqueue(conn, kind="verify", dedupe_key="v1", due_at=now, now=now)
        conn.execute(update(jobs).values(state="dead", attempts=6))
    out = httpx.post(f"{base}/api/admin/reset-stuck", headers=ADMIN).json()
    assert out["released"]["sync_state"] == 1
    assert out["requeued"]["athletes"] == 1 and out["requeued"]["jobs"] == 1
    assert _state(db, 11)["lease_owner"] is None
    assert _state(db, 12)["lease_owner"] == "live-host:2"  # a live lease is left alone
    assert _state(db, 13)["dead"] is False
    with db.engine.connect() as conn:
        assert conn.execute(select(jobs.c.state)).scalar_one() == "pending"


def test_app_state_endpoints(site: tuple[str, VirtualClock], db: Database) -> None:
    base, clock = site
    add_athlete(db, 11)
    body = httpx.get(f"{base}/api/admin/app-state", headers=ADMIN).json()
    assert body == {"app_state": None, "connected": 1, "capacity": 5}
    assert httpx.post(f"{base}/api/admin/app-state/probe", headers=ADMIN).status_code == 404
    assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
    gauge = 'stravasync_app_suspended{condition="application_inactive"}'
    assert f"{gauge} 0.0" in httpx.get(f"{base}/metrics").text
    now = clock.now()
    with db.transaction() as conn:
        appstate_q.enter(
            conn,
            condition="application_inactive",
            reason="Strava answers 403 for this application",
            next_probe_at=now + timedelta(minutes=8),
            now=now,
        )
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "degraded"
    assert "403" in ready.json()["reason"]
    assert f"{gauge} 1.0" in httpx.get(f"{base}/metrics").text
    assert httpx.post(f"{base}/api/admin/app-state/probe", headers=ADMIN).status_code == 200
    state = httpx.get(f"{base}/api/admin/app-state", headers=ADMIN).json()["app_state"]
    assert state["condition"] == "application_inactive"
    assert state["next_probe_at"].startswith(now.isoformat()[:19])


def test_cli_switches_and_exports_leave_hidden_athletes_out(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    add_athlete(db, 11)
    add_athlete(db, 12)
    add_activities(db, 11, [activity(1, days_ago=1)])
    add_activities(db, 12, [activity(2, days_ago=1)])
    env = {"STRAVASYNC_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:  # a worktree's sources, not the installed package
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stravasync", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    bad = cli("athletes", "set", "12", "--hidden", "maybe")
    assert bad.returncode == 2 and "maybe" in bad.stderr
    assert cli("athletes", "set", "12").returncode == 2  # nothing to set
    assert cli("athletes", "set", "99", "--hidden", "on").returncode == 2
    assert _row(db, 12)["hidden"] is False
    done = cli("athletes", "set", "12", "--hidden", "on", "--auto-sync", "off")
    assert done.returncode == 0, done.stderr
    assert "auto-sync off, hidden on" in done.stdout
    assert (_row(db, 12)["hidden"], _row(db, 12)["auto_sync"]) == (True, False)

    out = tmp_path / "a.jsonl"
    assert cli("export", "--format", "jsonl", "--out", str(out)).returncode == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [1]
    assert cli("export", "--format", "jsonl", "--out", str(out), "--include-hidden").returncode == 0
    assert sorted(json.loads(line)["id"] for line in out.read_text().splitlines()) == [1, 2]

    synced = cli("athletes", "sync-all", "--mode", "refresh")
    assert synced.returncode == 0 and "1 athlete(s) due now" in synced.stdout
    state = json.loads(cli("app-state", "--json").stdout)
    assert state == {"app_state": None, "connected": 2, "capacity": None}
    reset = json.loads(cli("reset-stuck", "--json").stdout)
    assert set(reset) == {"released", "requeued", "repaired"}
