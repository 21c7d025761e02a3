"""End to end over real HTTP: ``stravasync serve`` against ``stravasync simulate`` with a webhook
subscription. Activities created in the simulator appear in the data API within seconds, deleted
ones disappear, and a deauthorization stops the athlete.

The simulator runs in virtual time (``--virtual``) and the test moves it forward in 5-hour steps
while the service keeps the wall clock, so tokens expire on the simulator's clock long before the
service expects it, and steps with nothing to wait for follow each other within milliseconds: a
token refreshed after a 401 can be dead again before it is used. The athletes connect once; the
engine must get through on refresh-after-401 alone (every 401 gets a new token).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from stravasync.notify.signing import verify
from tests.e2e.web_helpers import Receiver

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "stravasync"]
ADMIN = "e2e-admin-token"
API = "e2e-api-key"
CRON = "e2e-cron-secret"
NOTIFY_SECRET = "e2e-notify-secret"
STEP_HOURS = 5
MAX_HOURS = 96
# wall seconds for a webhook's change to reach the mirror: the service's polling runs on hours of
# real time, so anything under a minute can only have come through the webhook (generous, so a
# loaded CI machine does not fail it)
MIRROR_WAIT_S = 45


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    serve: subprocess.Popen[str]

    def connect(self, athlete_id: int) -> None:
        with httpx.Client() as browser:  # keeps the state cookie /connect sets
            start = browser.get(self.svc + "/connect", follow_redirects=False)
            assert start.status_code == 303
            page = self.sim.get(
                start.headers["location"] + f"&sim_athlete_id={athlete_id}",
                follow_redirects=False,
            )
            back = browser.get(page.headers["location"])
        assert back.status_code == 200, back.text

    def mirrored(self, athlete_id: int) -> set[int]:
        out: list[int] = []
        after: int | None = None
        while True:
            params: dict[str, Any] = {"limit": 200} | ({"after_id": after} if after else {})
            page = httpx.get(
                f"{self.svc}/api/athletes/{athlete_id}/activities",
                params=params,
                headers={"Authorization": f"Bearer {API}"},
            ).json()
            out += [a["id"] for a in page["items"]]
            after = page["next_after_id"]
            if after is None:
                return set(out)

    def truth(self, athlete_id: int) -> set[int]:
        return {
            a["id"] for a in self.sim.get(f"/_sim/truth/athletes/{athlete_id}/activities").json()
        }

    def athletes(self) -> dict[int, dict[str, Any]]:
        rows = httpx.get(
            self.svc + "/api/admin/athletes", headers={"Authorization": f"Bearer {ADMIN}"}
        ).json()
        return {r["athlete_id"]: r for r in rows}


def _start(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=log.open("w"), text=True
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def stack(tmp_path: Path, receiver: Receiver) -> Iterator[Stack]:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    sim_port = free_port()
    sim = _start(
        [
            *CLI,
            "simulate",
            "--virtual",
            "--port",
            str(sim_port),
            "--athletes",
            "8",
            "--history-days",
            "20",
            "--quota",
            "unlimited",
        ],
        base_env,
        tmp_path,
        tmp_path / "sim.log",
    )
    info: dict[str, str] = {}
    assert sim.stdout is not None
    for line in sim.stdout:
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
        if line.startswith("ready"):
            break
    port = free_port()
    svc = f"http://127.0.0.1:{port}"
    env = dict(
        base_env,
        STRAVASYNC_DATABASE_URL=f"sqlite:///{tmp_path / 'svc.db'}",
        STRAVASYNC_CLIENT_ID=info["client_id"],
        STRAVASYNC_CLIENT_SECRET=info["client_secret"],
        STRAVASYNC_STRAVA_BASE_URL=info["base URL"],
        STRAVASYNC_REDIRECT_URI=svc + "/oauth/callback",
        STRAVASYNC_WEBHOOK_VERIFY_TOKEN="e2e-verify-token",
        STRAVASYNC_ADMIN_TOKEN=ADMIN,
        STRAVASYNC_API_KEY=API,
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
        STRAVASYNC_RATE_TIER="unlimited",
        STRAVASYNC_CRON_SECRET=CRON,
        STRAVASYNC_NOTIFY_URL=receiver.url,
        STRAVASYNC_NOTIFY_SECRET=NOTIFY_SECRET,
    )
    serve = _start([*CLI, "serve", "--port", str(port)], env, tmp_path, tmp_path / "svc.log")
    try:
        assert wait_until(lambda: _healthy(svc), 30), (tmp_path / "svc.log").read_text()
        yield Stack(
            sim=httpx.Client(base_url=info["base URL"]),
            svc=svc,
            env=env,
            work=tmp_path,
            serve=serve,
        )
    finally:
        for proc in (serve, sim):
            proc.terminate()
        for proc in (serve, sim):
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _cli(stack: Stack, *args: str) -> str:
    done = subprocess.run(
        [*CLI, *args], env=stack.env, cwd=stack.work, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_webhooks_keep_the_mirror_current(stack: Stack, receiver: Receiver) -> None:
    sub = subprocess.run(
        [*CLI, "webhooks", "subscribe", "--callback-url", stack.svc + "/webhooks/strava"],
        env=stack.env,
        cwd=stack.work,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sub.returncode == 0, sub.stderr
    assert "subscribed" in sub.stdout
    listed = json.loads(_cli(stack, "webhooks", "list", "--json"))
    assert [(s["callback_url"], s["stored"]) for s in listed] == [
        (stack.svc + "/webhooks/strava", True)
    ]
    ids = [a["id"] for a in stack.sim.get("/_sim/athletes").json()]
    for athlete_id in ids:
        stack.connect(athlete_id)
    for athlete_id in ids:  # backfill
        assert wait_until(lambda a=athlete_id: stack.mirrored(a) == stack.truth(a), 30), athlete_id

    seen: dict[str, list[float]] = {"create": [], "delete": []}
    created: list[int] = []
    deleted: list[int] = []
    since = stack.sim.get("/_sim/clock").json()["now"]
    # the world's own deletions are rare (a few per athlete-year): ask for one as well; its
    # webhook event goes out like any other at the next step
    victim = min(stack.truth(next(a for a in ids[1:] if stack.truth(a))))
    stack.sim.post(f"/_sim/activities/{victim}/delete").raise_for_status()
    hours = 0
    while hours < MAX_HOURS and not (seen["create"] and seen["delete"]):
        stack.sim.post("/_sim/clock", json={"advance": STEP_HOURS * 3600})
        moved = time.monotonic()
        hours += STEP_HOURS
        changes = stack.sim.get("/_sim/changes", params={"since": since}).json()
        since = stack.sim.get("/_sim/clock").json()["now"]
        for change in changes:
            kind, athlete_id, act = change["kind"], change["athlete_id"], change["activity_id"]
            if kind not in seen or not change["webhook"]:
                continue
            want_present = kind == "create"
            ok = wait_until(
                lambda a=act, who=athlete_id, want=want_present: (a in stack.mirrored(who)) == want,
                MIRROR_WAIT_S,
            )
            assert ok, f"{kind} of {act} (athlete {athlete_id}) not mirrored in {MIRROR_WAIT_S} s"
            seen[kind].append(time.monotonic() - moved)
            (created if kind == "create" else deleted).append(act)
    assert seen["create"], f"no activity created in {hours} simulated hours"
    assert seen["delete"], f"no activity deleted in {hours} simulated hours"
    assert victim in deleted
    assert max(seen["create"] + seen["delete"]) < MIRROR_WAIT_S
    print(f"\n{hours} simulated hours; seconds to mirror: {seen}")

    # a deauthorization stops the athlete
    gone = ids[0]
    stack.sim.post(f"/_sim/athletes/{gone}/deauthorize")
    assert wait_until(lambda: stack.athletes()[gone]["status"] == "deauthorized", MIRROR_WAIT_S)

    # the owning app was told, with signed notifications (at least once, so maybe twice)
    def notified(event: str) -> set[int]:
        out = set()
        for got in list(receiver.received):
            h = got["headers"]
            assert verify(
                NOTIFY_SECRET.encode(),
                timestamp_header=h["X-Stravasync-Timestamp"],
                signature_header=h["X-Stravasync-Signature"],
                body=got["body"],
                now=time.time(),
            )
            doc = json.loads(got["body"])
            if doc["event"] == event:
                out.add(doc["activity_id"])
        return out

    assert wait_until(lambda: set(created) <= notified("activity.created"), MIRROR_WAIT_S)
    assert wait_until(lambda: set(deleted) <= notified("activity.deleted"), MIRROR_WAIT_S)

    # the cron burst answers with its counts; without the secret it is refused
    assert httpx.post(stack.svc + "/api/cron/sync").status_code == 401
    cron = httpx.post(
        stack.svc + "/api/cron/sync?deadline=5",
        headers={"Authorization": f"Bearer {CRON}"},
        timeout=30,
    )
    assert cron.status_code == 200, cron.text
    assert set(cron.json()) == {"synced", "failed", "skipped", "deferred", "session_id"}

    # SIGTERM: a clean stop (workers finish their burst), exit code 0
    stack.serve.terminate()
    assert stack.serve.wait(timeout=40) == 0
    log = (stack.work / "svc.log").read_text()
    assert "workers stopped cleanly" in log
    for secret in (ADMIN, API, CRON, "e2e-verify-token", stack.env["STRAVASYNC_CLIENT_SECRET"]):
        assert secret not in log

    # the subscription is removed on Strava (the engine goes back to polling)
    assert f"unsubscribed: id {listed[0]['id']}" in _cli(stack, "webhooks", "unsubscribe")
    assert json.loads(_cli(stack, "webhooks", "list", "--json")) == []
