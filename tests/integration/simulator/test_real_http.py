"""The simulator over real sockets: a uvicorn thread, and the CLI as a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import uvicorn
from fastapi import FastAPI, Request

from tests.integration.simulator.conftest import make_sim


@contextmanager
def serve(app: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_oauth_list_and_webhooks_over_real_http() -> None:
    sim = make_sim(quota="default")
    events: list[dict[str, Any]] = []
    receiver = FastAPI()

    @receiver.get("/hook")
    async def validate(request: Request) -> dict[str, str]:
        return {"hub.challenge": request.query_params["hub.challenge"]}

    @receiver.post("/hook")
    async def receive(request: Request) -> dict[str, str]:
        events.append(await request.json())
        return {}

    with serve(sim.app) as base, serve(receiver) as hooks, httpx.Client(base_url=base) as http:
        athlete = sim.athlete_ids()[3]
        redirect = http.get(
            "/oauth/authorize",
            params={
                "client_id": sim.client_id,
                "redirect_uri": "http://localhost/cb",
                "response_type": "code",
                "scope": "read,activity:read_all",
                "state": "s1",
                "sim_athlete_id": athlete,
            },
        )
        assert redirect.status_code == 302
        code = parse_qs(urlparse(redirect.headers["location"]).query)["code"][0]
        token = http.post(
            "/oauth/token",
            data={
                "client_id": sim.client_id,
                "client_secret": sim.client_secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        ).json()
        resp = http.get(
            "/api/v3/athlete/activities",
            headers={"Authorization": f"Bearer {token['access_token']}"},
            params={"per_page": 200},
        )
        assert resp.status_code == 200
        assert [a["id"] for a in resp.json()] == [a["id"] for a in sim.truth(athlete)][:200]
        assert resp.headers["X-RateLimit-Usage"] == "2,2"  # token exchange + this list
        created = http.post(
            "/api/v3/push_subscriptions",
            data={
                "client_id": sim.client_id,
                "client_secret": sim.client_secret,
                "callback_url": f"{hooks}/hook",
                "verify_token": "v",
            },
        )
        assert created.status_code == 201
        sim.deauthorize_athlete(athlete)
        assert [e["object_type"] for e in events] == ["athlete"]


def test_cli_prints_credentials_and_ready_line_then_stops_on_ctrl_c() -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stravasync",
            "simulate",
            "--port",
            "0",
            "--athletes",
            "5",
            "--seed",
            "3",
            "--speed",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("ready:"):
                break
        text = "".join(lines)
        assert "ready:" in text, text
        values = dict(line.split(":", 1) for line in lines if ":" in line)
        base = values["base URL"].strip()
        clock = httpx.get(f"{base}/_sim/clock").json()
        assert clock["mode"] == "scaled" and clock["speed"] == 60.0
        assert float(values["wall origin"]) == clock["wall_origin"]
        code = httpx.post(f"{base}/_sim/grant", json={"athlete_id": 10_000_001}).json()["code"]
        token = httpx.post(
            f"{base}/oauth/token",
            data={
                "client_id": values["client_id"].strip(),
                "client_secret": values["client_secret"].strip(),
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        assert token.status_code == 200
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
        assert "simulator stopped" in out
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
