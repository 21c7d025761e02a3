"""Podman for the container tests: the image scripts/container-test-setup built, containers and
volumes named for one test (removed after it), and the HTTP steps a person takes in front of
the service (the /connect flow against the simulator, the data API)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "scripts" / "container-test-setup"
CONF = ROOT / ".container-test" / "containers.conf"
ADMIN = "container-test-admin-token-5f1e"
API = "container-test-api-key-77c2"


def podman_env() -> dict[str, str]:
    """The environment podman runs with: this project's containers.conf (see the setup script)."""
    env = dict(os.environ, CONTAINERS_CONF=str(CONF))
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    return env


@dataclass
class Podman:
    """Runs podman with the test image; remembers what it made, so ``cleanup`` removes it."""

    image: str
    prefix: str = field(default_factory=lambda: f"stravasync-test-{uuid.uuid4().hex[:8]}")
    containers: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)

    def __call__(
        self, *args: str, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["podman", *args],
            env=podman_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)}: {done.returncode}\n{done.stderr}")
        return done

    def volume(self, name: str) -> str:
        full = f"{self.prefix}-{name}"
        self("volume", "create", full)
        self.volumes.append(full)
        return full

    def run(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        *,
        volume: str | None = None,
        detach: bool = True,
    ) -> str:
        """``podman run`` of the image on the host's network, its host name its own."""
        full = f"{self.prefix}-{name}"
        args = ["run", "--name", full, "--hostname", name, "--network", "host"]
        if detach:
            args.append("-d")
        if volume is not None:
            args += ["-v", f"{volume}:/data"]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        self.containers.append(full)
        done = self(*args, self.image, *command, check=False, timeout=300)
        if done.returncode != 0 and detach:
            raise AssertionError(f"podman run {name}: {done.stderr}")
        return full

    def exec(self, container: str, *command: str) -> str:
        return self("exec", container, *command).stdout.strip()

    def inspect(self, container: str) -> dict[str, Any]:
        return dict(json.loads(self("inspect", container).stdout)[0])

    def logs(self, container: str) -> str:
        done = self("logs", container, check=False)
        return done.stdout + done.stderr

    def cleanup(self) -> None:
        if self.containers:
            # -v: the anonymous volumes of containers run without one on /data (VOLUME in the image)
            self("rm", "-f", "-i", "-v", "-t", "3", *self.containers, check=False)
        if self.volumes:
            self("volume", "rm", "-f", *self.volumes, check=False)


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(interval)
    return bool(check())


def answers(url: str, path: str = "/readyz") -> bool:
    try:
        return httpx.get(url + path, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def connect(svc: str, sim: str, athlete_id: int) -> None:
    """A person connecting: /connect, the simulator's authorize page, back to /oauth/callback."""
    with httpx.Client(timeout=30) as browser:  # keeps the state cookie /connect sets
        start = browser.get(svc + "/connect", follow_redirects=False)
        assert start.status_code == 303, start.text
        page = browser.get(
            start.headers["location"] + f"&sim_athlete_id={athlete_id}", follow_redirects=False
        )
        assert page.status_code in (302, 303), page.text
        assert page.headers["location"].startswith(svc + "/oauth/callback"), page.headers
        back = browser.get(page.headers["location"])
    assert back.status_code == 200, back.text


def mirrored(svc: str, athlete_id: int) -> set[int]:
    """Every activity id the data API lists for the athlete (all pages)."""
    out: list[int] = []
    after: int | None = None
    while True:
        params: dict[str, Any] = {"limit": 200} | ({"after_id": after} if after else {})
        page = httpx.get(
            f"{svc}/api/athletes/{athlete_id}/activities",
            params=params,
            headers={"Authorization": f"Bearer {API}"},
            timeout=30,
        )
        if page.status_code != 200:
            return set()
        body = page.json()
        out += [a["id"] for a in body["items"]]
        after = body["next_after_id"]
        if after is None:
            return set(out)


def admin(svc: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(
        method, svc + path, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30, **kw
    )
