"""A long read (an export) must not hold SQLite's write lock: writers go on meanwhile."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import athletes

NOW = datetime(2026, 3, 2, 9, 7, tzinfo=UTC)


def _write(db: Database, athlete_id: int) -> None:
    with db.transaction() as conn:
        athletes_q.upsert_athlete(conn, athlete_id=athlete_id, profile={}, scopes="", now=NOW)


def test_writes_proceed_while_a_snapshot_reads(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'm.db'}")
    _write(db, 1)
    done = threading.Event()
    with db.snapshot() as reader:
        before = reader.execute(select(athletes.c.id)).scalars().all()  # transaction open
        writer = threading.Thread(target=lambda: (_write(db, 2), done.set()))
        started = time.monotonic()
        writer.start()
        assert done.wait(timeout=5), "the writer waited on the export's lock"
        assert time.monotonic() - started < 5
        # the snapshot still sees the database as it was when it began
        assert reader.execute(select(athletes.c.id)).scalars().all() == before == [1]
    writer.join()
    with db.engine.connect() as conn:
        assert sorted(conn.execute(select(athletes.c.id)).scalars()) == [1, 2]
    db.close()
