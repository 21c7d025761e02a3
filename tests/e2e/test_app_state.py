"""App-level states and capacity, end to end over real HTTP: ``stravasync serve`` and the CLI
against ``stravasync simulate``, both on one clock running 60 times faster than the wall clock
(so a 1-minute probe backoff takes a second).

- capacity 2: a third athlete is refused in plain words at the web callback and by
  ``stravasync auth``, and is not left connected on Strava;
- the simulator's application goes inactive (every call 403): ONE app-level state for the whole
  deployment, one log line, one ``app.suspended`` notification, ``/readyz`` degraded with the
  reason, no request but probes, no athlete failed; when Strava accepts the app again a probe
  clears it (one ``app.resumed``) and the athletes sync again;
- the client secret is revoked (token and push calls 401): a CLI process records the state, the
  service (another process) sees it and stops, and a probe clears it once Strava accepts the
  secret again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.simproc import free_port
from tests.e2e.web_helpers import Receiver

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "stravasync"]
ADMIN = "appstate-admin-token"
NOTIFY_SECRET = "appstate-notify-secret"
SPEED = 60


def wait_until(check: Any, timeout: float, interval: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(interval)
    return bool(check())


@dataclass
class Stack:
    sim: httpx.Client
    svc: str
    env: dict[str, str]
    work: Path
    receiver: Receiver

    def admin(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(
            method, self.svc + path, headers={"Authorization": f"Bearer {ADMIN}"}, **kw
        )

    def connect(self, athlete_id: int) -> httpx.Response:
        with httpx.Client() as browser:  # keeps the state cookie /connect sets
            start = browser.get(self.svc + "/connect", follow_redirects=False)
            assert start.status_code == 303
            page = self.sim.get(
                start.headers["location"] + f"&sim_athlete_id={athlete_id}",
                follow_redirects=False,
            )
            assert page.status_code == 302, page.text
            return browser.get(page.headers["location"])

    def ready(self) -> dict[str, Any]:
        resp = httpx.get(self.svc + "/readyz")
        assert resp.status_code == 200, resp.text  # degraded still serves
        return dict(resp.json())

    def events(self, name: str) -> list[dict[str, Any]]:
        docs = [json.loads(r["body"]) for r in list(self.receiver.received)]
        return [d for d in docs if d["event"] == name]

    def requests(self) -> dict[str, dict[str, int]]:
        return dict(self.sim.get("/_sim/stats").json()["requests"])

    def log(self) -> str:
        return (self.work / "svc.log").read_text()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, *args], env=self.env, cwd=self.work, capture_output=True, text=True, timeout=60
        )


def _sent(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> dict[str, int]:
    """Requests per endpoint between two snapshots of the simulator's counts."""
    out: dict[str, int] = {}
    for name, by_status in after.items():
        n = sum(by_status.values()) - sum(before.get(name, {}).values())
        if n:
            out[name] = n
    return out


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    sim_port = free_port()
    sim_cmd = [*CLI, "simulate", "--port", str(sim_port), "--speed", str(SPEED)]
    sim_cmd += ["--athletes", "4", "--history-days", "20", "--quota", "unlimited"]
    sim = subprocess.Popen(
        sim_cmd,
        env=base_env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "sim.log").open("w"),
        text=True,
    )
    info: dict[str, str] = {}
    assert sim.stdout is not None
    for line in sim.stdout:
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
        if line.startswith("ready"):
            break
    receiver = Receiver()
    port = free_port()
    svc = f"http://127.0.0.1:{port}"
    env = dict(
        base_env,
        STRAVASYNC_DATABASE_URL=f"sqlite:///{tmp_path / 'svc.db'}",
        STRAVASYNC_CLIENT_ID=info["client_id"],
        STRAVASYNC_CLIENT_SECRET=info["client_secret"],
        STRAVASYNC_STRAVA_BASE_URL=info["base URL"],
        STRAVASYNC_REDIRECT_URI=svc + "/oauth/callback",
        STRAVASYNC_ADMIN_TOKEN=ADMIN,
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
        STRAVASYNC_RATE_TIER="unlimited",
        STRAVASYNC_NOTIFY_URL=receiver.url,
        STRAVASYNC_NOTIFY_SECRET=NOTIFY_SECRET,
        STRAVASYNC_ATHLETE_CAPACITY="2",
        STRAVASYNC_SYNC_ENRICH="false",
        STRAVASYNC_CLOCK_SPEED=str(SPEED),
        STRAVASYNC_CLOCK_ORIGIN=info["clock origin"],
        STRAVASYNC_CLOCK_WALL_ORIGIN=info["wall origin"],
    )
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "svc.log").open("w"),
        text=True,
    )

    def healthy() -> bool:
        try:
            return httpx.get(svc + "/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(healthy, 30), (tmp_path / "svc.log").read_text()
        yield Stack(httpx.Client(base_url=info["base URL"]), svc, env, tmp_path, receiver)
    finally:
        for proc in (serve, sim):
            proc.terminate()
        for proc in (serve, sim):
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
        receiver.close()


def _synced_once_more(stack: Stack, since: dict[int, str | None]) -> bool:
    rows = {r["athlete_id"]: r for r in stack.admin("GET", "/api/admin/athletes").json()}
    return all((rows[a]["last_success_at"] or "") > (t or "") for a, t in since.items())


def test_capacity_then_inactive_app_then_revoked_secret(stack: Stack) -> None:
    ids = [a["id"] for a in stack.sim.get("/_sim/athletes").json()]
    first, second, third = ids[:3]

    # --- capacity: two fit, the third is refused in plain words and not left connected
    for athlete_id in (first, second):
        assert stack.connect(athlete_id).status_code == 200
    refused = stack.connect(third)
    assert refused.status_code == 403
    assert "This service is full" in refused.text and "may connect 2 athlete" in refused.text
    code = stack.sim.post("/_sim/grant", json={"athlete_id": third}).json()["code"]
    cli = stack.cli("auth", "--code", code, "--scope", "read,activity:read_all")
    assert cli.returncode == 2 and "this service is full" in cli.stderr, cli.stderr
    connected_on_strava = {
        a["id"] for a in stack.sim.get("/_sim/athletes").json() if a["connected"]
    }
    assert connected_on_strava == {first, second}
    status = stack.admin("GET", "/api/admin/app-state").json()
    assert (status["connected"], status["capacity"], status["app_state"]) == (2, 2, None)
    assert {r["athlete_id"] for r in stack.admin("GET", "/api/admin/athletes").json()} == {
        first,
        second,
    }
    assert wait_until(
        lambda: all(r["backfill_done"] for r in stack.admin("GET", "/api/admin/athletes").json()),
        60,
    )
    assert stack.ready()["status"] == "ready"

    # --- the application goes inactive on Strava
    stack.sim.post("/_sim/faults", json={"inactive_app": True}).raise_for_status()
    assert stack.admin("POST", "/api/admin/sync", json={"mode": "refresh"}).json()["athletes"] == 2
    assert wait_until(lambda: stack.ready()["status"] == "degraded", 20)
    ready = stack.ready()
    assert ready["app_state"]["condition"] == "application_inactive"
    assert "403" in ready["reason"] and "strava.com/settings/api" in ready["reason"]
    assert "the app owner's Strava subscription or the app's status" in ready["reason"]
    before = stack.requests()
    # the engine keeps trying: sync everyone twice more while suspended
    for _ in range(2):
        stack.admin("POST", "/api/admin/sync", json={"mode": "refresh"})
        time.sleep(1.5)
    sent = _sent(before, stack.requests())
    # nothing but probes (one per backoff step: 1, 2, 4 simulated minutes)
    assert set(sent) <= {"GET /api/v3/push_subscriptions"}, sent
    assert sum(sent.values()) <= 3, sent
    rows = stack.admin("GET", "/api/admin/athletes").json()
    assert all(not r["dead"] and r["status"] == "active" for r in rows), rows
    for r in rows:
        state = stack.admin("GET", f"/api/admin/athletes/{r['athlete_id']}").json()["sync_state"]
        assert state["attempts"] == 0, state  # waiting, not failing
    assert wait_until(lambda: len(stack.events("app.suspended")) == 1, 15)
    assert stack.log().count("Strava application suspended: no request") == 1

    stack.sim.post("/_sim/faults", json={"inactive_app": False}).raise_for_status()
    last = {r["athlete_id"]: r["last_success_at"] for r in rows}
    assert wait_until(lambda: stack.ready()["status"] == "ready", 60), stack.ready()
    assert wait_until(lambda: len(stack.events("app.resumed")) == 1, 15)
    assert stack.events("app.resumed")[0]["data"]["condition"] == "application_inactive"
    assert stack.log().count("Strava application resumed") == 1
    assert wait_until(lambda: _synced_once_more(stack, last), 30)  # the waiting work went on
    assert len(stack.events("app.suspended")) == 1

    # --- the client secret is revoked: a CLI process trips the state, the service obeys it
    stack.sim.post("/_sim/faults", json={"invalid_client": True}).raise_for_status()
    listed = stack.cli("webhooks", "list")
    assert listed.returncode == 2 and "STRAVASYNC_CLIENT_SECRET" in listed.stderr, listed.stderr
    ready = stack.ready()
    assert ready["status"] == "degraded" and ready["app_state"]["condition"] == "invalid_client"
    before = stack.requests()
    stack.admin("POST", "/api/admin/sync", json={"mode": "refresh"})
    time.sleep(1.5)
    sent = _sent(before, stack.requests())
    assert set(sent) <= {"GET /api/v3/push_subscriptions"}, sent
    assert wait_until(lambda: len(stack.events("app.suspended")) == 2, 15)
    assert stack.events("app.suspended")[1]["data"]["condition"] == "invalid_client"

    stack.sim.post("/_sim/faults", json={"invalid_client": False}).raise_for_status()
    stack.admin("POST", "/api/admin/sync", json={"mode": "refresh"})
    assert wait_until(lambda: stack.ready()["status"] == "ready", 60), stack.ready()
    assert wait_until(lambda: len(stack.events("app.resumed")) == 2, 15)
    log = stack.log()
    assert log.count("Strava application suspended: no request") == 1  # the CLI logged the 2nd
    assert stack.env["STRAVASYNC_CLIENT_SECRET"] not in log
