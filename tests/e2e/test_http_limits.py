"""Slow, many and huge requests against a real ``stravasync serve`` (issue 25, points 3 and 4).

Raw sockets play the attacker: headers one line at a time, bodies one byte at a time, more
connections than the cap, and 300 MB bodies without a token. The service cuts the slow ones at
their deadline with 408, refuses past the connection cap with 503 (never ``EMFILE``), answers a
huge unauthenticated body before reading it, keeps ``/healthz`` answering, and its log holds at
most about a line a second of one repeated error.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.serveproc import wait_until
from tests.e2e.simproc import free_port

pytestmark = pytest.mark.slow  # a real serve each, 5-10 s
API_KEY = "edge-api-key-0123456789abcdef"
ADMIN = "edge-admin-token-0123456789abcdef"


@dataclass
class Served:
    url: str
    port: int
    pid: int
    log: Path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=f"sqlite:///{tmp_path / 'edge.db'}",
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
        STRAVASYNC_SCHEDULER="off",
        STRAVASYNC_API_KEY=API_KEY,
        STRAVASYNC_ADMIN_TOKEN=ADMIN,
        **extra,
    )
    return env


@contextmanager
def served(tmp_path: Path, files: int | None = None, **extra: str) -> Iterator[Served]:
    """``stravasync serve`` (web only), optionally with an open-file limit of ``files``."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"

    def limit_files() -> None:
        if files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "stravasync", "serve", "--port", str(port)],
            env=_env(tmp_path, **extra),
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=limit_files,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: healthz(url) == 200, 60), log.read_text()
        yield Served(url, port, proc.pid, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def healthz(url: str) -> int:
    try:
        return httpx.get(url + "/healthz", timeout=2).status_code
    except httpx.HTTPError:
        return 0


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(10)
    return sock


def answer(sock: socket.socket) -> bytes:
    """What the server sent until it closed (or 10 s passed), b"" for a reset."""
    got = b""
    try:
        while chunk := sock.recv(65536):
            got += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return got


def rss_kb(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    assert match
    return int(match.group(1))


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def in_threads(work: Callable[[int], None], n: int) -> None:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


def test_slow_headers_and_bodies_are_cut_while_healthz_answers(tmp_path: Path) -> None:
    with served(
        tmp_path, STRAVASYNC_HTTP_HEADER_TIMEOUT="1.5", STRAVASYNC_HTTP_BODY_TIMEOUT="1.5"
    ) as svc:
        endings: dict[str, list[tuple[float, bytes]]] = {"headers": [], "body": []}

        def trickle(i: int) -> None:
            kind = "headers" if i % 2 else "body"
            sock = connect(svc.port)
            start = time.monotonic()
            if kind == "body":
                sock.sendall(
                    b"POST /webhooks/strava HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
                )
            else:
                sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            try:  # a header line or a body byte every 0.2 s, for at most 6 s
                for n in range(30):
                    sock.sendall(b"{" if kind == "body" else f"X-{n}: y\r\n".encode())
                    time.sleep(0.2)
            except OSError:
                pass
            endings[kind].append((time.monotonic() - start, answer(sock)))
            sock.close()

        health: list[tuple[int, float]] = []

        def probe() -> None:
            for _ in range(8):
                began = time.monotonic()
                health.append((healthz(svc.url), time.monotonic() - began))
                time.sleep(0.25)

        prober = threading.Thread(target=probe)
        prober.start()
        in_threads(trickle, 20)
        prober.join()
        huge = connect(svc.port)  # headers past STRAVASYNC_HTTP_MAX_HEADER_BYTES (16 KiB)
        huge.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 20_000)
        time.sleep(0.3)  # h11 measures a header block that is still incomplete
        with suppress(OSError):
            huge.sendall(b"\r\n\r\n")
        too_big = answer(huge)
        huge.close()
    for kind in ("headers", "body"):
        assert len(endings[kind]) == 10
        for took, got in endings[kind]:
            assert got.startswith(b"HTTP/1.1 408 "), (kind, got)
            assert took < 5, (kind, took)  # cut at 1.5 s, not after the client's 6 s
    assert too_big.startswith(b"HTTP/1.1 400 "), too_big[:100]
    assert [code for code, _ in health] == [200] * 8
    assert max(took for _, took in health) < 3


def test_at_the_cap_idle_connections_make_room_and_busy_ones_refuse(tmp_path: Path) -> None:
    with served(
        tmp_path, files=600, STRAVASYNC_HTTP_MAX_CONNECTIONS="40",
        STRAVASYNC_HTTP_HEADER_TIMEOUT="3", STRAVASYNC_HTTP_BODY_TIMEOUT="2",
    ) as svc:  # fmt: skip
        # 300 connections that never send a byte: each new one closes the oldest idle one,
        # so the process holds at most the cap, and /healthz still gets in at once
        idle = [connect(svc.port) for _ in range(300)]
        time.sleep(0.5)
        held_idle = open_files(svc.pid)
        began = time.monotonic()
        during_idle = healthz(svc.url)
        idle_took = time.monotonic() - began
        for sock in idle:
            sock.close()
        assert wait_until(lambda: open_files(svc.pid) < 20, 10)  # the flood is gone
        # 40 connections busy sending a body fill the cap: past it, 503 before reading
        busy = [connect(svc.port) for _ in range(40)]
        for sock in busy:
            sock.sendall(
                b"POST /webhooks/strava HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{"
            )
        time.sleep(0.5)
        extra = [connect(svc.port) for _ in range(10)]
        refused = [answer(sock)[:13] for sock in extra]
        during_busy = healthz(svc.url)
        cut = [answer(sock)[:13] for sock in busy]  # the body deadline ends them
        assert wait_until(lambda: healthz(svc.url) == 200, 10)
        for sock in busy + extra:
            sock.close()
    log = svc.log.read_text()
    assert during_idle == 200 and idle_took < 3
    assert held_idle <= 40 + 4 * 64 + 20  # the cap, accepts in flight, the process's own files
    assert refused == [b"HTTP/1.1 503 "] * 10
    assert during_busy == 503
    assert cut == [b"HTTP/1.1 408 "] * 40
    assert "Errno 24" not in log and "Too many open files" not in log
    assert "Traceback" not in log and "does not fit" not in log
    for what in ("closed the oldest idle connection", "refused a connection"):
        lines = [line for line in log.splitlines() if what in line]
        seconds = [line.split()[0] for line in lines]
        assert 1 <= len(lines) == len(set(seconds)), lines  # at most a line a second


def test_a_huge_body_without_a_token_is_answered_unread(tmp_path: Path) -> None:
    with served(tmp_path) as svc:
        before = rss_kb(svc.pid)
        results: list[tuple[int, float, bytes]] = []
        chunk = b"x" * 65536

        def upload(i: int) -> None:
            sock = connect(svc.port)
            start = time.monotonic()
            path = f"/api/activities/{i + 1}/annotations"
            size = f"Content-Length: {300 * 1024 * 1024}" if i % 2 else "Transfer-Encoding: chunked"
            sock.sendall(
                f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"{size}\r\n\r\n".encode()
            )
            piece = chunk if i % 2 else b"10000\r\n" + chunk + b"\r\n"
            try:  # up to 64 MB each, until the server answers and closes
                for _ in range(1024):
                    sock.sendall(piece)
            except OSError:
                pass
            results.append((i, time.monotonic() - start, answer(sock)))
            sock.close()

        in_threads(upload, 4)
        grown = rss_kb(svc.pid) - before
        # with a token, a declared size over the limit is 413 before a byte is read
        big = connect(svc.port)
        head = (
            "PUT /api/activities/1/annotations HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\n"
            "Content-Length: 2000000\r\n\r\n"
        )
        big.sendall(head.encode())
        too_large = answer(big)
        # a chunked body with a token is cut at the limit
        streamed = httpx.put(
            svc.url + "/api/activities/1/annotations",
            headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"},
            content=iter([chunk] * 32),  # 2 MB, no Content-Length
            timeout=10,
        )
        # a right token and a small body still work (404: no such activity)
        small = httpx.put(
            svc.url + "/api/activities/1/annotations",
            headers={"Authorization": f"Bearer {API_KEY}"},
            json={"annotations": {"a": "b"}},
        )
        assert healthz(svc.url) == 200
    assert len(results) == 4
    for i, took, got in results:  # declared too large: 413; streamed without a token: 401
        assert got.startswith(b"HTTP/1.1 413 " if i % 2 else b"HTTP/1.1 401 "), (i, got[:200])
        assert took < 10
    assert grown < 40 * 1024, f"serve grew by {grown} kB"
    assert too_large.startswith(b"HTTP/1.1 413 "), too_large
    assert streamed.status_code == 413
    assert small.status_code == 404
