"""Helpers for end-to-end tests: a `stravasync simulate` subprocess and CLI runs against it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-m", "stravasync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SimProcess:
    proc: subprocess.Popen[str]
    base_url: str
    client_id: str
    client_secret: str
    api_url: str | None = None  # a 2027 simulator: the API origin (no /api/v3)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)

    def grant(self, athlete_id: int, scope: str = "read,activity:read_all") -> str:
        with self.http() as c:
            resp = c.post("/_sim/grant", json={"athlete_id": athlete_id, "scope": scope})
            resp.raise_for_status()
            return str(resp.json()["code"])

    def stats(self) -> dict[str, Any]:
        with self.http() as c:
            return dict(c.get("/_sim/stats").json())

    def truth_ids(self, athlete_id: int) -> set[int]:
        with self.http() as c:
            rows = c.get(f"/_sim/truth/athletes/{athlete_id}/activities").json()
        return {int(r["id"]) for r in rows}

    def request_log(self) -> list[dict[str, Any]]:
        """Every request the simulator received on a Strava path (both origins)."""
        with self.http() as c:
            return list(c.get("/_sim/requests").json()["requests"])

    def faults(self, **values: Any) -> None:
        with self.http() as c:
            c.post("/_sim/faults", json=values).raise_for_status()


@contextmanager
def simulator(*args: str) -> Iterator[SimProcess]:
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "simulate", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")},
    )
    lines: list[str] = []
    assert proc.stdout is not None
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("ready"):
            break
    text = "".join(lines)
    try:
        m_id = re.search(r"client_id:\s+(\S+)", text)
        m_secret = re.search(r"client_secret:\s+(\S+)", text)
        assert m_id and m_secret, text
        m_api = re.search(r"export STRAVASYNC_STRAVA_API_URL=(\S+)", text)
        yield SimProcess(
            proc,
            f"http://127.0.0.1:{port}",
            m_id.group(1),
            m_secret.group(1),
            m_api.group(1) if m_api else None,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def cli_env(sim: SimProcess, db_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=db_url,
        STRAVASYNC_STRAVA_BASE_URL=sim.base_url,
        STRAVASYNC_CLIENT_ID=sim.client_id,
        STRAVASYNC_CLIENT_SECRET=sim.client_secret,
        STRAVASYNC_KEY_FILE=str(workdir / "secret.key"),
        **extra,
    )
    if sim.api_url is not None:
        env.update(STRAVASYNC_STRAVA_API_URL=sim.api_url, STRAVASYNC_STRAVA_OAUTH_URL=sim.base_url)
    return env


def run_cli(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
