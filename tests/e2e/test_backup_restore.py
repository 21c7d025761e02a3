"""``stravasync backup`` / ``restore`` on SQLite while another process writes (issue 23).

The copy opens, its row counts equal the manifest, the tokens decrypt after a restore into a
new place; a damaged or partial archive is refused with one clear line and changes nothing; an
existing database is replaced only with --force."""

from __future__ import annotations

import gzip
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from stravasync.store import Database
from stravasync.store.people import tokens as token_q
from stravasync.strava.crypto import load_cipher
from tests.integration.web.conftest import START, add_athlete

CLI = [sys.executable, "-m", "stravasync"]
KEY = Fernet.generate_key().decode()

WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
n = 0
while True:
    conn.execute("BEGIN IMMEDIATE")
    for _ in range(20):
        conn.execute(
            "INSERT INTO sync_logs (session_id, level, message, created_at) "
            "VALUES ('writer', 'info', ?, '2026-01-01 00:00:00')", (f"line {n}",))
        n += 1
    conn.execute("COMMIT")
    if n == 200:
        open(sys.argv[2], "w").write("started")
    time.sleep(0.002)
"""


def _database(path: Path, key_file: Path) -> str:
    url = f"sqlite:///{path}"
    key_file.write_text(KEY + "\n")
    cipher = load_cipher(None, key_file)
    db = Database.open(url)
    try:
        for athlete_id in (7, 8):
            add_athlete(db, athlete_id)
            with db.transaction() as conn:
                token_q.save(
                    conn,
                    athlete_id,
                    access_enc=cipher.encrypt(f"access-{athlete_id}"),
                    refresh_enc=cipher.encrypt(f"refresh-{athlete_id}"),
                    expires_at=START + timedelta(hours=6),
                    scope="read,activity:read_all",
                    now=START,
                )
    finally:
        db.close()
    return url


def _env(url: str, key_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(STRAVASYNC_DATABASE_URL=url, STRAVASYNC_KEY_FILE=str(key_file))
    return env


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _manifest(archive: Path) -> dict[str, object]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        data: dict[str, object] = json.loads(member.read())
    return data


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


@pytest.fixture
def live(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A database with two athletes' tokens and a subprocess writing to it meanwhile."""
    src = tmp_path / "live"
    src.mkdir()
    key_file = src / "secret.key"
    url = _database(src / "mirror.db", key_file)
    flag = src / "writer.started"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(src / "mirror.db"), str(flag)])
    try:
        deadline = time.monotonic() + 30
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert flag.exists(), "the writer never started"
        yield src, url, key_file
    finally:
        writer.terminate()
        writer.wait(timeout=10)


def test_backup_while_writing_then_restore_elsewhere(tmp_path: Path, live) -> None:  # type: ignore[no-untyped-def]
    src, url, key_file = live
    archive = tmp_path / "backups" / "one.tar.gz"
    done = _cli(["backup", str(archive)], _env(url, key_file), src)
    assert done.returncode == 0, done.stderr
    assert "2 tokens readable" in done.stdout
    assert KEY not in done.stdout + done.stderr  # the key is never printed
    manifest = _manifest(archive)
    tables = manifest["tables"]
    assert isinstance(tables, dict)
    assert tables["tokens"] == 2 and tables["athletes"] == 2
    assert tables["sync_logs"] >= 200  # taken while the writer was writing
    assert tables["sync_logs"] % 20 == 0  # whole transactions only: a consistent snapshot
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    # restore into a new place: another folder, another key file path
    new = tmp_path / "restored"
    new.mkdir()
    new_db, new_key = new / "mirror.db", new / "keys" / "secret.key"
    restored = _cli(["restore", str(archive)], _env(f"sqlite:///{new_db}", new_key), new)
    assert restored.returncode == 0, restored.stderr
    assert KEY not in restored.stdout + restored.stderr
    assert _counts(new_db) == tables
    assert oct(new_key.stat().st_mode & 0o777) == "0o600"
    cipher = load_cipher(None, new_key)
    conn = sqlite3.connect(new_db)
    try:
        stored = dict(conn.execute("SELECT athlete_id, refresh_token_enc FROM tokens").fetchall())
    finally:
        conn.close()
    assert {a: cipher.decrypt(v) for a, v in stored.items()} == {7: "refresh-7", 8: "refresh-8"}

    # the restored place is now live: a second restore without --force changes nothing
    before = new_db.read_bytes()
    again = _cli(["restore", str(archive)], _env(f"sqlite:///{new_db}", new_key), new)
    assert again.returncode == 2
    assert "exists: nothing was changed" in again.stderr and "--force" in again.stderr
    assert new_db.read_bytes() == before
    forced = _cli(["restore", str(archive), "--force"], _env(f"sqlite:///{new_db}", new_key), new)
    assert forced.returncode == 0, forced.stderr
    assert _counts(new_db) == tables

    # a backup never overwrites an archive
    twice = _cli(["backup", str(archive)], _env(url, key_file), src)
    assert twice.returncode == 2 and "exists" in twice.stderr


def _rewrite(archive: Path, out: Path, change: dict[str, bytes | None]) -> None:
    """A copy of ``archive`` with members replaced (bytes) or left out (None)."""
    with tarfile.open(archive, "r:gz") as tar, tarfile.open(out, "w:gz") as dst:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            assert data is not None
            body = data.read()
            if member.name in change:
                replaced = change[member.name]
                if replaced is None:
                    continue
                body = replaced
            info = tarfile.TarInfo(member.name)
            info.size = len(body)
            dst.addfile(info, io.BytesIO(body))


def test_broken_archives_are_refused_and_touch_nothing(tmp_path: Path, live) -> None:  # type: ignore[no-untyped-def]
    src, url, key_file = live
    archive = tmp_path / "good.tar.gz"
    assert _cli(["backup", str(archive)], _env(url, key_file), src).returncode == 0
    manifest = _manifest(archive)
    tables = dict(manifest["tables"])  # type: ignore[call-overload]
    lying = json.dumps({**manifest, "tables": {**tables, "athletes": 3}}).encode()

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    without_key = tmp_path / "without-key.tar.gz"
    _rewrite(archive, without_key, {"secret.key": None})
    other_key = tmp_path / "other-key.tar.gz"
    _rewrite(archive, other_key, {"secret.key": Fernet.generate_key() + b"\n"})
    miscounted = tmp_path / "miscounted.tar.gz"
    _rewrite(archive, miscounted, {"manifest.json": lying})
    not_gzip = tmp_path / "plain.tar.gz"
    not_gzip.write_bytes(gzip.decompress(archive.read_bytes())[:1000])

    cases = {
        truncated: "not a readable backup archive",
        without_key: "does not hold what its manifest lists",
        other_key: "does not match its sha256",
        miscounted: "row counts differ from the manifest: athletes: expected 3, found 2",
        not_gzip: "not a readable backup archive",
        tmp_path / "absent.tar.gz": "is not a file",
    }
    target = tmp_path / "target"
    target.mkdir()
    for bad, message in cases.items():
        done = _cli(
            ["restore", str(bad)], _env(f"sqlite:///{target / 'm.db'}", target / "k.key"), target
        )
        assert done.returncode == 2, (bad.name, done.stdout, done.stderr)
        assert message in " ".join(done.stderr.split()), (bad.name, done.stderr)
        assert sorted(p.name for p in target.iterdir()) == [], bad.name  # nothing written
