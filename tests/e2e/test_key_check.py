"""Every process role checks the token key against the stored tokens at start: a wrong or
missing key stops it with one clear line (exit 2) instead of a misleading 502 later."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from stravasync.store import Database
from stravasync.store.people import tokens as token_q
from stravasync.strava.crypto import TokenCipher
from tests.integration.web.conftest import START, add_athlete

CLI = [sys.executable, "-m", "stravasync"]
KEY = Fernet.generate_key().decode()


def _stored(tmp_path: Path) -> str:
    """A database at head holding one athlete's tokens, encrypted with KEY."""
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    db = Database.open(url)
    try:
        add_athlete(db, 7)
        cipher = TokenCipher([KEY.encode()])
        with db.transaction() as conn:
            token_q.save(
                conn,
                7,
                access_enc=cipher.encrypt("access-token-of-7"),
                refresh_enc=cipher.encrypt("refresh-token-of-7"),
                expires_at=START + timedelta(hours=6),
                scope="read,activity:read_all",
                now=START,
            )
    finally:
        db.close()
    return url


def _env(tmp_path: Path, url: str, key: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=url,
        STRAVASYNC_CLIENT_ID="1",
        STRAVASYNC_CLIENT_SECRET="key-test-secret",
        STRAVASYNC_STRAVA_BASE_URL="http://127.0.0.1:9",
        STRAVASYNC_KEY_FILE=str(tmp_path / "absent.key"),
        STRAVASYNC_ADMIN_TOKEN="key-admin",
    )
    if key is not None:
        env["STRAVASYNC_SECRET_KEY"] = key
    return env


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


ROLES = [["web", "--port", "0"], ["worker"], ["serve", "--port", "0"]]


WRONG = Fernet.generate_key().decode()
CASES = [
    *[(role, WRONG, "cannot decrypt the stored Strava tokens") for role in ROLES],
    (ROLES[0], None, "Strava tokens are stored but no key can read them"),
    (ROLES[1], "not-a-fernet-key", "is not a valid Fernet key"),
]


@pytest.mark.parametrize(("role", "key", "says"), CASES, ids=lambda v: str(v)[:12])
def test_a_role_with_a_key_that_cannot_read_the_tokens_exits_with_one_line(
    tmp_path: Path, role: list[str], key: str | None, says: str
) -> None:
    url = _stored(tmp_path)
    done = subprocess.run(
        [*CLI, *role],
        env=_env(tmp_path, url, key),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error:") and says in lines[0], lines[0]
    assert "Traceback" not in done.stderr
    assert "refresh-token-of-7" not in done.stderr + done.stdout
    assert not (tmp_path / "absent.key").exists()  # the check creates no key file


def test_the_right_key_starts_the_web_role(tmp_path: Path) -> None:
    url = _stored(tmp_path)
    port = _port()
    log = tmp_path / "web.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*CLI, "web", "--port", str(port)],
            env=_env(tmp_path, url, KEY),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
            assert proc.poll() is None, log.read_text()
        else:
            pytest.fail("web did not start: " + log.read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
