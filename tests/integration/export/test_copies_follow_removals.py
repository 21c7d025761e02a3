"""Purges and deletions reach the DuckDB warehouse within STRAVASYNC_COPIES_PRUNE_SECONDS
(issue 23): the removal is counted in its transaction, ``query`` refuses a warehouse behind
it, and the service's ``copies_prune`` job refreshes the warehouse, which then holds neither
the purged athlete nor the deleted activity. Real deauthorization and deletion webhooks from
the simulator, virtual time, both backends; the CLI's refusal as a subprocess on SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from stravasync.export.errors import WarehouseBehind
from stravasync.export.query import run_query
from stravasync.lab import Lab
from stravasync.store.mirror import removals
from stravasync.store.schema import activities, scheduler_jobs
from stravasync.sync.jobs import clockjobs
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)


def counter(lab: Lab) -> int:
    with lab.db.engine.connect() as conn:
        return removals.current(conn)


def warehouse_ids(path: Path, lab: Lab, sql: str) -> set[int]:
    result = run_query(path, sql, removals=counter(lab))
    return {int(r[0]) for r in result.rows}


def outcome(lab: Lab, name: str) -> str:
    with lab.db.engine.connect() as conn:
        return str(
            conn.execute(
                select(scheduler_jobs.c.last_outcome).where(scheduler_jobs.c.name == name)
            ).scalar()
        )


def query_cli(lab: Lab, path: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(STRAVASYNC_DATABASE_URL=db_url, STRAVASYNC_EXPORT_WAREHOUSE=str(path))
    return subprocess.run(
        [sys.executable, "-m", "stravasync", "query", "SELECT count(*) FROM activities"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def make_lab(db_url: str, tmp_path: Path, path: Path, prune: float) -> tuple[Lab, int, int]:
    """A lab whose warehouse holds two athletes: (lab, the one who will revoke, the other)."""
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=11,
        athletes=3,
        history_days=30,
        webhooks=True,
        overrides={
            "export_warehouse": path,
            "copies_prune_seconds": prune,
            "sync_purge_grace_days": 0,
            "schedule_stale_report": "",
            "sync_enrich_streams": True,
        },
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    lab.run_until_idle()
    with lab.db.engine.connect() as conn:
        having = sorted(set(conn.execute(select(activities.c.athlete_id)).scalars()))
    clockjobs.warehouse_refresh(lab.engine, lab.clock.now())
    assert counter(lab) == 0
    before = warehouse_ids(path, lab, "SELECT DISTINCT athlete_id FROM activities")
    assert set(having[:2]) <= before
    assert set(having[:2]) <= warehouse_ids(path, lab, "SELECT DISTINCT athlete_id FROM streams")
    return lab, having[0], having[1]


def remove(lab: Lab, gone: int, stays: int) -> tuple[int, list[int]]:
    """``gone`` revokes (purged at once: no grace), ``stays`` deletes an activity on Strava;
    the deleted id and the other live ids of ``stays``."""
    with lab.db.engine.connect() as conn:
        live = sorted(
            conn.execute(
                select(activities.c.id).where(
                    activities.c.athlete_id == stays, activities.c.deleted_at.is_(None)
                )
            ).scalars()
        )
    assert len(live) > 1
    lab.sim.deauthorize_athlete(gone)
    assert lab.sim.delete_activity(live[0])
    lab.advance(60)  # the webhook events arrive and are handled
    assert counter(lab) == 2  # one purge, one deletion, each counted with its rows
    return live[0], live[1:]


def assert_followed(lab: Lab, path: Path, gone: int, stays: int, deleted: int, kept: list[int]):  # type: ignore[no-untyped-def]
    after = warehouse_ids(path, lab, "SELECT DISTINCT athlete_id FROM activities")
    assert gone not in after and stays in after
    ids = warehouse_ids(path, lab, "SELECT id FROM activities")
    assert deleted not in ids and set(kept) <= ids
    assert gone not in warehouse_ids(path, lab, "SELECT id FROM athletes")
    sampled = warehouse_ids(path, lab, "SELECT DISTINCT athlete_id FROM streams")
    assert gone not in sampled and stays in sampled  # the purged athlete's samples went too
    sampled_ids = warehouse_ids(path, lab, "SELECT DISTINCT activity_id FROM streams")
    assert deleted not in sampled_ids and sampled_ids & set(kept)


def test_the_warehouse_follows_a_purge_and_a_deletion_at_once(db_url: str, tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    path = tmp_path / "wh.duckdb"
    lab, gone, stays = make_lab(db_url, tmp_path, path, prune=3600)
    try:
        deleted, kept = remove(lab, gone, stays)
        # no hour waited: the removals made the prune job due in their own transactions
        assert "2 removal(s) followed" in outcome(lab, "copies_prune")
        assert_followed(lab, path, gone, stays, deleted, kept)
        lab.advance(3600 + 60)  # its hourly check: in step, nothing to do
        assert outcome(lab, "copies_prune") == "warehouse in step with the mirror's removals"
    finally:
        lab.close()


def test_query_refuses_a_warehouse_behind_a_removal(db_url: str, tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    path = tmp_path / "wh.duckdb"
    lab, gone, stays = make_lab(db_url, tmp_path, path, prune=0)  # no service job
    try:
        deleted, kept = remove(lab, gone, stays)
        with pytest.raises(WarehouseBehind, match="predates 2 purge"):
            run_query(path, "SELECT 1", removals=counter(lab))
        if db_url.startswith("sqlite"):
            refused = query_cli(lab, path, db_url)
            assert refused.returncode == 2, refused.stdout + refused.stderr
            assert "predates 2 purge(s) or deletion(s)" in " ".join(refused.stderr.split())
        clockjobs.warehouse_refresh(lab.engine, lab.clock.now())  # what the message says to do
        assert_followed(lab, path, gone, stays, deleted, kept)
        if db_url.startswith("sqlite"):
            served = query_cli(lab, path, db_url)
            assert served.returncode == 0, served.stderr
    finally:
        lab.close()
