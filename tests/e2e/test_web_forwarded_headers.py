"""``stravasync web`` as a subprocess: X-Forwarded-For from 127.0.0.1 is not believed by default
(uvicorn's own handling would trust loopback), only from STRAVASYNC_TRUSTED_PROXIES."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.e2e.test_service_roles import CLI, _env


@contextmanager
def web(tmp_path: Path, **env: str) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / f"web-{port}.log"
    proc = subprocess.Popen(
        [*CLI, "web", "--port", str(port)],
        env=_env(tmp_path) | env,
        cwd=tmp_path,
        stderr=log.open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()


def _guesses(base: str) -> list[int]:
    return [
        httpx.get(
            base + "/api/admin/athletes",
            headers={"Authorization": f"Bearer g{n}", "X-Forwarded-For": f"198.51.100.{n + 1}"},
        ).status_code
        for n in range(12)
    ]


def test_forwarded_for_needs_a_configured_proxy(tmp_path: Path) -> None:
    with web(tmp_path) as base:
        assert _guesses(base) == [401] * 10 + [429] * 2
        right = httpx.get(
            base + "/api/admin/athletes", headers={"Authorization": "Bearer roles-admin"}
        )
        assert right.status_code == 200
    with web(tmp_path, STRAVASYNC_TRUSTED_PROXIES="127.0.0.1") as base:
        assert _guesses(base) == [401] * 12
