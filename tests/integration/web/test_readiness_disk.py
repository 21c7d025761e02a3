"""A full disk makes /readyz say not ready, with the reason, and nothing stored is lost.

A real full disk: the SQLite database lives on a 4 MB tmpfs that a filler file then fills up.
The machine's tests run as root (CI too); an unprivileged run cannot mount and says so.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from stravasync.store import Database
from tests.integration.web.hostile import headers_for, live_app, populate, snapshot

MIN_FREE_MB = 1.0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        if os.geteuid() == 0:
            pytest.fail(f"root could not mount a tmpfs: {done.stderr.strip()}")
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path: Path) -> None:
    """Write until the disk refuses (ENOSPC)."""
    with path.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    assert shutil.disk_usage(path.parent).free < 65536


def test_readyz_reports_a_full_disk_and_recovers(small_disk: Path, sqlite_template: Path) -> None:
    path = small_disk / "web.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database.open(url, upgrade=False)
    try:
        populate(db)
        before = snapshot(db)
        with live_app(db, url, ready_min_free_mb=MIN_FREE_MB) as base:
            ready = httpx.get(base + "/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["status"] == "ready"

            filler = small_disk / "filler"
            fill(filler)
            full = httpx.get(base + "/readyz")
            assert full.status_code == 503
            body = full.json()
            assert body["status"] == "not_ready"
            assert body["database"] in ("disk_full", "read_only")
            assert "disk almost full" in body["reason"]
            assert "MB free" in body["reason"]
            assert httpx.get(base + "/healthz").status_code == 200  # alive, just not ready

            filler.unlink()
            again = httpx.get(base + "/readyz")
            assert again.status_code == 200, again.text
        after = snapshot(db)
        probe = after.pop("app_settings")
        assert {k: v for k, v in before.items() if k != "app_settings"} == after
        assert [r for r in probe if r[0] != "readiness_probe"] == [
            r for r in before["app_settings"] if r[0] != "readiness_probe"
        ]
    finally:
        db.close()


def test_readyz_reports_a_database_that_refuses_writes(db: Database, db_url: str) -> None:
    """PostgreSQL in read-only mode (as a standby, or a full disk's emergency mode) answers
    reads but refuses the test write; SQLite under query_only refuses even to begin (every
    SQLite transaction here begins IMMEDIATE). Both are not ready, with the database's words."""
    populate(db)
    with live_app(db, db_url, ready_min_free_mb=0) as base:
        assert httpx.get(base + "/readyz").status_code == 200
        if db.is_sqlite:

            def refuse_writes(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.execute("PRAGMA query_only=ON")

            event.listen(db.engine, "connect", refuse_writes)
            expected = ("unreachable", "attempt to write a readonly database")
        else:
            name = make_url(db_url).database
            with db.engine.connect() as conn:
                conn.execute(
                    text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
                )
                conn.commit()
            expected = ("read_only", "a test write failed: cannot execute")
        db.engine.dispose()
        try:
            full = httpx.get(base + "/readyz")
            assert full.status_code == 503, full.text
            body = full.json()
            assert (body["database"], body["status"]) == (expected[0], "not_ready"), body
            assert expected[1] in body["reason"]
            if not db.is_sqlite:  # reads still answer
                athletes = httpx.get(
                    base + "/api/admin/athletes", headers=headers_for("/api/admin")
                )
                assert athletes.status_code == 200
        finally:
            if not db.is_sqlite:
                admin = create_engine(
                    make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
                )
                with admin.connect() as conn:
                    conn.execute(
                        text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
                    )
                admin.dispose()
                db.engine.dispose()
