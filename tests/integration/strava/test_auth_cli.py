"""`stravasync auth --code` against the simulator over real HTTP: the token is stored encrypted."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from typer.testing import CliRunner

from stravasync.cli import app
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.store.schema import athletes, tokens
from stravasync.strava.crypto import load_cipher
from tests.integration.strava.multiproc import ROOT, Server


def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, base_url: str, sim: Simulator) -> Path:
    db_file = tmp_path / "mirror.db"
    monkeypatch.setenv("STRAVASYNC_DATABASE_URL", f"sqlite:///{db_file}")
    monkeypatch.setenv("STRAVASYNC_STRAVA_BASE_URL", base_url)
    monkeypatch.setenv("STRAVASYNC_CLIENT_ID", sim.client_id)
    monkeypatch.setenv("STRAVASYNC_CLIENT_SECRET", sim.client_secret)
    monkeypatch.setenv("STRAVASYNC_KEY_FILE", str(tmp_path / "secret.key"))
    monkeypatch.delenv("STRAVASYNC_SECRET_KEY", raising=False)
    return db_file


def test_auth_code_stores_an_encrypted_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sim = Simulator(SimConfig(seed=9, athletes=2, history_days=5))
    athlete = sim.athlete_ids()[0]
    with Server(sim.app) as base_url:
        db_file = env(monkeypatch, tmp_path, base_url, sim)
        code = sim.grant(athlete, "read,activity:read_all")
        result = CliRunner().invoke(
            app, ["auth", "--code", code, "--scope", "read,activity:read_all"]
        )
        assert result.exit_code == 0, result.output
        assert f"Connected athlete {athlete}" in result.output
        db = Database.open(f"sqlite:///{db_file}", upgrade=False)
        with db.engine.connect() as conn:
            row = conn.execute(select(tokens)).mappings().one()
            status = conn.execute(select(athletes.c.status)).scalar_one()
        db.close()
        cipher = load_cipher(None, tmp_path / "secret.key")
        access = cipher.decrypt(row["access_token_enc"])
        refresh = cipher.decrypt(row["refresh_token_enc"])
        # the stored access token really works against the simulator
        me = httpx.get(f"{base_url}/api/v3/athlete", headers={"Authorization": f"Bearer {access}"})
        assert me.status_code == 200 and me.json()["id"] == athlete

        # a second, different key cannot read them: refused with a clear message
        monkeypatch.setenv("STRAVASYNC_SECRET_KEY", Fernet.generate_key().decode())
        again = CliRunner().invoke(app, ["auth", "--code", sim.grant(athlete)])
        assert again.exit_code == 2
        assert "cannot decrypt the stored Strava tokens" in again.output
    assert status == "active"
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("mirror.db*"))
    assert access.encode() not in raw and refresh.encode() not in raw
    assert row["access_token_enc"].encode() in raw  # the ciphertext is what is stored


def test_auth_refuses_a_missing_private_scope_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sim = Simulator(SimConfig(seed=9, athletes=2, history_days=5))
    with Server(sim.app) as base_url:
        env(monkeypatch, tmp_path, base_url, sim)
        code = sim.grant(sim.athlete_ids()[0], "read,activity:read")
        result = CliRunner().invoke(
            app, ["auth", "--redirect-url", f"http://x/cb?code={code}&scope=read,activity:read"]
        )
    assert result.exit_code == 2
    assert "private" in result.output and "ticked" in result.output


def test_interactive_auth_listens_for_the_redirect_and_checks_state(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sim = Simulator(SimConfig(seed=9, athletes=2, history_days=5))
    athlete = sim.athlete_ids()[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Server(sim.app) as base_url:
        env(monkeypatch, tmp_path, base_url, sim)
        monkeypatch.setenv("STRAVASYNC_REDIRECT_URI", f"http://127.0.0.1:{port}/oauth/callback")
        proc = subprocess.Popen(
            [sys.executable, "-m", "stravasync", "auth", "--timeout", "30"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if "/oauth/authorize?" in line:
                url = line.strip()
                break
        assert "state=" in url
        answer = None
        for _ in range(50):  # the listener may need a moment to bind
            try:
                answer = httpx.get(f"{url}&sim_athlete_id={athlete}", follow_redirects=True)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert answer is not None and answer.status_code == 200
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"Connected athlete {athlete}" in out
