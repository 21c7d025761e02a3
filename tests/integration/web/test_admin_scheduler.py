"""/api/admin/scheduler: every job with its schedule, next run, last run and outcome."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.schema import scheduler_jobs
from tests.integration.web.conftest import START, admin_headers

H = admin_headers()


def test_lists_clock_jobs_with_last_outcome(client: TestClient, db: Database) -> None:
    with db.transaction() as conn:
        for row in [
            {
                "name": "daily_flow",
                "interval_s": 0,
                "schedule": "0 5 * * *",
                "next_run_at": START + timedelta(hours=20),
                "last_run_at": START - timedelta(hours=4),
                "last_status": "failed",
                "last_outcome": "OSError: disk full",
            },
            {
                "name": "prune_logs",
                "interval_s": 86400,
                "next_run_at": START + timedelta(hours=1),
            },
        ]:
            conn.execute(scheduler_jobs.insert().values(**row))
    answer = client.get("/api/admin/scheduler", headers=H)
    assert answer.status_code == 200
    jobs = {j["name"]: j for j in answer.json()["jobs"]}
    flow = jobs["daily_flow"]
    assert flow["schedule"] == "0 5 * * *"
    assert flow["last_status"] == "failed"
    assert flow["last_outcome"] == "OSError: disk full"
    assert flow["next_run_at"].startswith((START + timedelta(hours=20)).strftime("%Y-%m-%dT%H"))
    assert jobs["prune_logs"]["schedule"] is None
    assert jobs["prune_logs"]["last_status"] is None
    # run one now
    assert client.post("/api/admin/scheduler/trigger/daily_flow", headers=H).status_code == 200
    with db.engine.connect() as conn:
        due = conn.execute(
            select(scheduler_jobs.c.next_run_at).where(scheduler_jobs.c.name == "daily_flow")
        ).scalar_one()
    assert due == START


def test_trigger_of_an_unknown_job_is_a_404_problem(client: TestClient, db: Database) -> None:
    answer = client.post("/api/admin/scheduler/trigger/warehouse_refresh", headers=H)
    assert answer.status_code == 404  # off (no row): unknown
    body = answer.json()
    assert body["error"] == "not_found"
    assert "warehouse_refresh" in body["detail"]


def test_scheduler_needs_the_admin_token(client: TestClient) -> None:
    assert client.get("/api/admin/scheduler").status_code == 401
    assert client.post("/api/admin/scheduler/trigger/daily_flow").status_code == 401
