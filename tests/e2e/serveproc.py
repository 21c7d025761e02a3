"""A `stravasync serve` subprocess for end-to-end tests, and waiting on what it does."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.e2e.simproc import free_port


@dataclass
class ServeProcess:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(interval)
    return bool(check())


def _ready(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def serve(env: dict[str, str], work: Path, port: int | None = None) -> Iterator[ServeProcess]:
    """``stravasync serve`` on ``port`` (default: a free one) with ``env``; stopped (SIGTERM)
    at the end."""
    port = port or free_port()
    log = work / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "stravasync", "serve", "--port", str(port)],
            env=env,
            cwd=work,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _ready(url), 60), log.read_text()
        yield ServeProcess(proc, url, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
