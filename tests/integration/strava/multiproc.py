"""Harness for the multi-process budget test: serve an ASGI app on a free port, record what
Strava (the app) counted per window, run worker processes and collect their results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

from stravasync.clock import Clock
from stravasync.strava.quota.windows import Window, window_start

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Recorder:
    """Wraps an ASGI app; per quarter hour: the highest read usage the app reported (in all and
    in the first half of the window), and 429s."""

    app: ASGIApp
    clock: Clock
    usage: dict[datetime, int] = field(default_factory=dict)
    rejected: dict[datetime, int] = field(default_factory=dict)
    first_half: dict[datetime, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def spy(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._record(message)
            await send(message)

        await self.app(scope, receive, spy)

    def _record(self, message: Message) -> None:
        headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        now = self.clock.now()
        start = window_start(Window.QUARTER, now)
        early = (now - start).total_seconds() < Window.QUARTER.seconds / 2
        used = headers.get("x-readratelimit-usage")
        with self.lock:
            if message["status"] == 429:
                self.rejected[start] = self.rejected.get(start, 0) + 1
            if used:
                count = int(used.split(",")[0])
                self.usage[start] = max(self.usage.get(start, 0), count)
                if early:
                    self.first_half[start] = max(self.first_half.get(start, 0), count)


class Server:
    """uvicorn in a thread on 127.0.0.1 and a free port."""

    def __init__(self, app: ASGIApp) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def run_workers(
    configs: list[dict[str, Any]], tmp: Path, timeout: float, go: Callable[[], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Start one process per config at once; when every one has finished starting up, call
    ``go`` and hand what it returns to all of them (budget_worker waits for it); their JSON
    results. Start-up time, which grows with the machine's load, is then outside the test."""
    procs = []
    for i, cfg in enumerate(configs):
        path = tmp / f"worker-{i}.json"
        path.write_text(json.dumps(cfg))
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.integration.strava.budget_worker", str(path)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
        )
    deadline = time.monotonic() + 120
    while not all((tmp / f"worker-{i}.ready").exists() for i in range(len(configs))):
        failed = [p for p in procs if p.poll() is not None]
        if failed or time.monotonic() > deadline:
            for p in procs:
                p.kill()
            err = failed[0].communicate()[1][-2000:] if failed else "start-up took over 120 s"
            raise AssertionError(f"a worker did not start: {err}")
        time.sleep(0.01)
    started = tmp / "go.tmp"
    started.write_text(json.dumps(go()))
    started.replace(tmp / "go.json")
    results = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results
