"""Jobs on a clock, run by the engine against the simulator: catch-up after downtime (once,
coalesced), the personal flow (sync -> warehouse), the stale-connection report."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from stravasync.lab import Lab
from stravasync.schedule import next_run
from stravasync.store.operator import admin as admin_q
from stravasync.store.pending import sessions as session_q
from stravasync.store.schema import notifications, scheduler_jobs, sync_state
from stravasync.sync.jobs import clockjobs
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)  # a Monday, 10:03 in London
LONDON = ZoneInfo("Europe/London")


def job_row(lab: Lab, name: str) -> dict[str, Any] | None:
    with lab.db.engine.connect() as conn:
        row = conn.execute(select(scheduler_jobs).where(scheduler_jobs.c.name == name)).first()
    return dict(row._mapping) if row is not None else None


def make_lab(db_url: str, tmp_path: Path, **overrides: Any) -> Lab:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=5,
        athletes=2,
        history_days=20,
        overrides={"schedule_tz": "Europe/London", **overrides},
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    lab.run_until_idle()  # backfill; the job rows are created
    return lab


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[datetime]:
    calls: list[datetime] = []
    real = clockjobs.ACTIONS[name]

    def wrapped(engine: Any, now: datetime) -> str:
        calls.append(now)
        return real(engine, now)

    monkeypatch.setitem(clockjobs.ACTIONS, name, wrapped)
    return calls


def test_missed_runs_while_down_run_once_at_start(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "wh.duckdb"
    lab = make_lab(
        db_url,
        tmp_path,
        schedule_daily_flow="0 5 * * *",
        export_warehouse=warehouse,
        schedule_stale_report="",
    )
    try:
        row = job_row(lab, "daily_flow")
        assert row is not None
        assert row["schedule"] == "0 5 * * *"
        assert row["next_run_at"] == datetime(2026, 5, 5, 4, 0, tzinfo=UTC)  # 05:00 BST
        assert job_row(lab, "stale_report") is None  # empty setting: off
        calls = counting(monkeypatch, "daily_flow")
        # the machine sleeps through three 05:00s, then starts at 09:20 on the 8th
        back = datetime(2026, 5, 8, 8, 20, tzinfo=UTC)
        lab.sim.advance_to(back)
        lab.run_until_idle()
        lab.run_until_idle()
        assert calls == [back]
        row = job_row(lab, "daily_flow")
        assert row is not None
        assert row["last_run_at"] == back
        assert row["last_status"] == "ok"
        assert row["next_run_at"] == datetime(2026, 5, 9, 4, 0, tzinfo=UTC)
        assert row["next_run_at"] == next_run("0 5 * * *", LONDON, back)
        assert row["last_outcome"].startswith("2 athletes: synced 2")
        assert warehouse.exists()  # the flow ends with the warehouse refresh
        with lab.db.engine.connect() as conn:
            synced = conn.execute(select(sync_state.c.last_incremental_at)).scalars().all()
        assert synced and all(t is not None and t >= back for t in synced)
        # the next morning it runs again, once
        lab.advance(24 * 3600, step=3600)
        assert calls == [back, datetime(2026, 5, 9, 4, 0, tzinfo=UTC)]
    finally:
        lab.close()


def test_a_changed_or_removed_schedule_updates_the_row(db_url: str, tmp_path: Path) -> None:
    lab = make_lab(db_url, tmp_path, schedule_warehouse_refresh="0 5 * * *")
    try:
        from stravasync.sync import build_engine

        settings = lab.settings.model_copy(update={"schedule_warehouse_refresh": "30 22 * * *"})
        engine = build_engine(settings, lab.db, lab.clock, http=lab.http)
        engine.run_until_idle()
        row = job_row(lab, "warehouse_refresh")
        assert row is not None
        assert row["schedule"] == "30 22 * * *"
        assert row["next_run_at"] == datetime(2026, 5, 4, 21, 30, tzinfo=UTC)
        off = build_engine(
            settings.model_copy(update={"schedule_warehouse_refresh": ""}),
            lab.db,
            lab.clock,
            http=lab.http,
        )
        off.run_until_idle()
        assert job_row(lab, "warehouse_refresh") is None
        assert job_row(lab, "prune_logs") is not None  # interval jobs are untouched
    finally:
        lab.close()


def test_stale_report_names_athletes_unsynced_for_a_week(db_url: str, tmp_path: Path) -> None:
    lab = make_lab(db_url, tmp_path, notify_url="http://127.0.0.1:9/hook")
    try:
        stale_id, fresh_id = sorted(lab.sim.athlete_ids())
        with lab.db.transaction() as conn:
            conn.execute(
                update(sync_state)
                .where(sync_state.c.athlete_id == stale_id)
                .values(last_success_at=START - timedelta(days=8))
            )
            conn.execute(notifications.delete())  # the backfill's own notifications
            assert admin_q.trigger_scheduler_job(conn, "stale_report", now=lab.clock.now())
        lab.run_until_idle()
        row = job_row(lab, "stale_report")
        assert row is not None
        assert row["last_status"] == "ok"
        assert row["last_outcome"] == "1 athletes not synced for 7+ days (notified)"
        assert str(stale_id) not in row["last_outcome"]
        with lab.db.engine.connect() as conn:
            sent = conn.execute(select(notifications.c.event, notifications.c.athlete_id)).all()
        assert [(e, a) for e, a in sent] == [("athlete.stale", stale_id)]
        assert fresh_id not in {a for _, a in sent}
    finally:
        lab.close()


def test_a_failing_job_records_its_error_and_waits_for_its_next_time(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = make_lab(db_url, tmp_path, schedule_warehouse_refresh="0 5 * * *")
    try:

        def broken(engine: Any, now: datetime) -> str:
            raise OSError("disk full")

        monkeypatch.setitem(clockjobs.ACTIONS, "warehouse_refresh", broken)
        with lab.db.transaction() as conn:
            admin_q.trigger_scheduler_job(conn, "warehouse_refresh", now=lab.clock.now())
        lab.run_until_idle()
        row = job_row(lab, "warehouse_refresh")
        assert row is not None
        assert row["last_status"] == "failed"
        assert row["last_outcome"] == "internal error: OSError: disk full"
        assert row["next_run_at"] == datetime(2026, 5, 5, 4, 0, tzinfo=UTC)
        assert row["lease_owner"] is None
    finally:
        lab.close()


def test_the_flow_inside_a_capped_run_keeps_the_outer_cap(db_url: str, tmp_path: Path) -> None:
    """`stravasync sync --max-calls 1` that happens to run the daily flow: the flow's own sync
    stops at the outer cap, and the outer run's bounds are back afterwards."""
    lab = make_lab(db_url, tmp_path, schedule_daily_flow="0 5 * * *", schedule_stale_report="")
    try:
        lab.sim.advance_to(datetime(2026, 5, 5, 4, 37, tzinfo=UTC))  # not at a quarter hour
        with lab.db.transaction() as conn:  # nobody due but through the flow
            conn.execute(update(sync_state).values(due_at=datetime(2026, 6, 1, tzinfo=UTC)))
        report = lab.engine.run_until_idle(max_calls=1)
        row = job_row(lab, "daily_flow")
        assert row is not None
        assert row["last_status"] == "ok", row["last_outcome"]
        calls = re.search(r", (\d+) calls;", row["last_outcome"])
        assert calls is not None and int(calls[1]) <= 1
        assert report.api_calls <= 1
        assert lab.engine._max_calls is None and lab.engine._stop_at is None
    finally:
        lab.close()


def test_the_scheduled_refresh_is_a_warehouse_session_with_stages(
    db_url: str, tmp_path: Path
) -> None:
    lab = make_lab(
        db_url, tmp_path, schedule_warehouse_refresh="0 5 * * *", export_warehouse=tmp_path / "w"
    )
    try:
        with lab.db.transaction() as conn:
            admin_q.trigger_scheduler_job(conn, "warehouse_refresh", now=lab.clock.now())
        lab.run_until_idle()
        with lab.db.engine.connect() as conn:
            found = session_q.recent_runs(conn, modes=("warehouse",))
    finally:
        lab.close()
    assert len(found) == 1, found
    run = found[0]
    assert (run["athlete_id"], run["trigger"], run["status"]) == (None, "schedule", "done")
    assert run["started_at"] >= START  # the engine's (virtual) clock
    assert run["summary_json"]["rows"]["upserted"] > 0
    assert {"query", "write", "views"} <= set(run["summary_json"]["stage_seconds"])
