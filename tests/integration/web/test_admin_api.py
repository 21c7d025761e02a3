"""Admin API: each action writes its intent to the database; reads reflect the tables."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.pending import outbox
from stravasync.store.pending import sessions as session_q
from stravasync.store.pending.syncstate import scheduler_paused
from stravasync.store.schema import (
    athletes,
    jobs,
    notifications,
    rate_budget,
    rate_history,
    scheduler_jobs,
    sync_state,
    webhook_events,
)
from stravasync.strava.calls import API_CALLS
from tests.integration.web.conftest import (
    START,
    activity,
    add_activities,
    add_athlete,
    admin_headers,
)

H = admin_headers()


def state_of(db: Database, athlete_id: int) -> dict:
    with db.engine.connect() as conn:
        row = (
            conn.execute(select(sync_state).where(sync_state.c.athlete_id == athlete_id))
            .mappings()
            .one()
        )
    return dict(row)


def test_athletes_overview_and_detail(client: TestClient, db: Database) -> None:
    add_athlete(db, 11)
    add_athlete(db, 12)
    add_activities(db, 11, [activity(1, days_ago=1), activity(2, days_ago=2)])
    rows = client.get("/api/admin/athletes", headers=H).json()
    assert [(r["athlete_id"], r["activity_count"], r["status"]) for r in rows] == [
        (11, 2, "active"),
        (12, 0, "active"),
    ]
    detail = client.get("/api/admin/athletes/11", headers=H).json()
    assert detail["athlete"]["name"] == "Ada L11"
    assert detail["sync_state"]["due_at"].startswith("2026-03-02T09:07")
    assert client.get("/api/admin/athletes/999", headers=H).status_code == 404


def test_sync_request_writes_intent_and_clears_dead_letter(
    client: TestClient, db: Database, clock: VirtualClock
) -> None:
    add_athlete(db, 11)
    with db.transaction() as conn:
        conn.execute(
            update(sync_state).values(dead=True, attempts=6, due_at=START + timedelta(days=9))
        )
    clock.advance(60)
    resp = client.post("/api/admin/athletes/11/sync", headers=H, json={"mode": "backfill"})
    assert resp.status_code == 200
    state = state_of(db, 11)
    assert (state["requested_mode"], state["dead"], state["attempts"]) == ("backfill", False, 0)
    assert state["due_at"] == clock.now()
    enrich = client.post(
        "/api/admin/athletes/11/sync",
        headers=H,
        json={"mode": "enrich", "options": {"activity_ids": [5, 6]}},
    )
    assert enrich.status_code == 200
    state = state_of(db, 11)
    assert state["requested_mode"] == "enrich"
    assert state["checkpoint_json"] == {"mode": "enrich", "activity_ids": [5, 6]}
    odd = {"mode": "enrich", "options": {"everything": True}}
    assert client.post("/api/admin/athletes/11/sync", headers=H, json=odd).status_code == 422
    bad = client.post("/api/admin/athletes/11/sync", headers=H, json={"mode": "everything"})
    assert bad.status_code == 422
    assert client.post("/api/admin/athletes/404/sync", headers=H, json={}).status_code == 404


def test_cancel_block_unblock_hide_unhide(client: TestClient, db: Database) -> None:
    add_athlete(db, 11)
    assert client.post("/api/admin/athletes/11/cancel", headers=H).status_code == 200
    assert state_of(db, 11)["cancel_requested"] is True

    def athlete() -> dict:
        with db.engine.connect() as conn:
            return dict(conn.execute(select(athletes).where(athletes.c.id == 11)).mappings().one())

    client.post("/api/admin/athletes/11/block", headers=H)
    assert athlete()["status"] == "blocked"
    assert state_of(db, 11)["parked"] is True  # out of the claim's indexes
    client.post("/api/admin/athletes/11/unblock", headers=H)
    assert athlete()["status"] == "active"
    assert state_of(db, 11)["parked"] is False
    client.post("/api/admin/athletes/11/hide", headers=H)
    assert athlete()["hidden"] is True
    client.post("/api/admin/athletes/11/unhide", headers=H)
    assert athlete()["hidden"] is False
    # unblock never revives a revoked athlete
    with db.transaction() as conn:
        conn.execute(update(athletes).values(status="deauthorized"))
    client.post("/api/admin/athletes/11/unblock", headers=H)
    assert athlete()["status"] == "deauthorized"


def test_scheduler_status_pause_resume_trigger(client: TestClient, db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(
            scheduler_jobs.insert().values(
                name="prune_logs", interval_s=3600, next_run_at=START + timedelta(hours=1)
            )
        )
    status = client.get("/api/admin/scheduler", headers=H).json()
    assert status["paused"] is False
    assert status["jobs"][0]["name"] == "prune_logs"
    client.post("/api/admin/scheduler/pause", headers=H)
    with db.engine.connect() as conn:
        assert scheduler_paused(conn) is True
    assert client.get("/api/admin/scheduler", headers=H).json()["paused"] is True
    client.post("/api/admin/scheduler/resume", headers=H)
    with db.engine.connect() as conn:
        assert scheduler_paused(conn) is False
    assert client.post("/api/admin/scheduler/trigger/prune_logs", headers=H).status_code == 200
    with db.engine.connect() as conn:
        assert conn.execute(select(scheduler_jobs.c.next_run_at)).scalar_one() == START
    assert client.post("/api/admin/scheduler/trigger/nope", headers=H).status_code == 404


def test_quota_now_and_history(client: TestClient, db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(
            rate_budget.insert().values(
                limit_class="read",
                window="15min",
                window_start=START,
                used=30,
                limit_value=100,
                updated_at=START,
            )
        )
        for hours, used in ((2, 50), (30, 70)):
            conn.execute(
                rate_history.insert().values(
                    limit_class="read",
                    window="15min",
                    window_start=START - timedelta(hours=hours),
                    used=used,
                    limit_value=100,
                    http_429=1,
                )
            )
    now = client.get("/api/admin/quota", headers=H).json()
    assert now["windows"][0]["remaining"] == 70
    hist = client.get("/api/admin/quota/history", headers=H).json()
    assert [p["used"] for p in hist["points"]] == [50]
    assert len(client.get("/api/admin/quota/history?hours=48", headers=H).json()["points"]) == 2


def test_sessions_logs_polling_and_sse(client: TestClient, db: Database) -> None:
    with db.transaction() as conn:
        sid = session_q.start_session(
            conn, athlete_id=11, mode="backfill", trigger="admin", now=START
        )
        for i in range(3):
            session_q.add_log(
                conn, sid, level="INFO", message=f"page {i}", now=START, athlete_id=11
            )
    sessions = client.get("/api/admin/sessions", headers=H).json()
    assert sessions[0]["id"] == sid
    page = client.get(f"/api/admin/sessions/{sid}/logs", headers=H).json()
    assert [line["message"] for line in page["lines"]] == ["page 0", "page 1", "page 2"]
    past = client.get(f"/api/admin/sessions/{sid}/logs?after_id={page['last_id']}", headers=H)
    assert past.status_code == 200 and past.json()["lines"] == []  # a known session, read up
    unknown = client.get("/api/admin/sessions/no-such-session/logs", headers=H)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "no such session"
    after = client.get(f"/api/admin/logs?after_id={page['lines'][0]['id']}", headers=H).json()
    assert [line["message"] for line in after["lines"]] == ["page 1", "page 2"]
    empty = client.get(f"/api/admin/logs?after_id={page['last_id']}", headers=H).json()
    assert empty == {"lines": [], "last_id": page["last_id"]}
    with client.stream("GET", "/api/admin/logs/stream?follow=false", headers=H) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        text = "".join(resp.iter_text())
    assert text.count("event: log") == 3
    assert '"message": "page 2"' in text


def test_dead_letters_listed_and_requeued(
    client: TestClient, db: Database, clock: VirtualClock
) -> None:
    add_athlete(db, 11)
    with db.transaction() as conn:
        conn.execute(update(sync_state).values(dead=True, last_error="boom", attempts=6))
        jobs_q.enqueue(
            conn, kind="purge", dedupe_key="purge:11", due_at=START, now=START, athlete_id=11
        )
        conn.execute(update(jobs).values(state="dead", last_error="x"))
        conn.execute(
            webhook_events.insert().values(
                dedupe_key="k",
                object_type="activity",
                object_id=1,
                aspect_type="create",
                owner_id=11,
                subscription_id=1,
                event_time=1,
                received_at=START,
                state="dead",
                due_at=START,
            )
        )
        outbox.enqueue(
            conn, event="activity.created", athlete_id=11, activity_id=1, payload={}, now=START
        )
        conn.execute(update(notifications).values(state="dead", attempts=8))
    items = client.get("/api/admin/dead-letters", headers=H).json()["items"]
    assert sorted(i["kind"] for i in items) == ["athlete", "job", "notification", "webhook_event"]
    clock.advance(5)
    for item in items:
        resp = client.post(
            f"/api/admin/dead-letters/{item['kind']}/{item['id']}/requeue", headers=H
        )
        assert resp.status_code == 200, item
        again = client.post(
            f"/api/admin/dead-letters/{item['kind']}/{item['id']}/requeue", headers=H
        )
        assert again.status_code == 404
    assert client.get("/api/admin/dead-letters", headers=H).json()["items"] == []
    with db.engine.connect() as conn:
        assert conn.execute(select(notifications.c.state, notifications.c.attempts)).one() == (
            "pending",
            0,
        )
        assert conn.execute(select(webhook_events.c.state)).scalar_one() == "pending"
        assert conn.execute(select(jobs.c.state)).scalar_one() == "pending"
    assert state_of(db, 11)["dead"] is False
    notes = client.get("/api/admin/notifications", headers=H).json()
    assert notes[0]["event"] == "activity.created"


def test_metrics_report_queue_depth_and_budget(client: TestClient, db: Database) -> None:
    add_athlete(db, 11)
    with db.transaction() as conn:
        conn.execute(
            rate_budget.insert().values(
                limit_class="overall",
                window="daily",
                window_start=START,
                used=7,
                limit_value=1000,
                updated_at=START,
            )
        )
    client.get("/healthz")
    API_CALLS.record("GET", "/api/v3/activities/42", 429)
    text = client.get("/metrics").text
    assert (
        'stravasync_strava_api_requests_total{endpoint="GET /api/v3/activities/{id}",status="429"}'
        in text
    )
    assert 'stravasync_queue_due{kind="athlete"} 1.0' in text
    assert 'stravasync_budget_remaining{limit="overall",window="daily"} 993.0' in text
    assert (
        'stravasync_http_requests_total{endpoint="/healthz",method="GET",status="200"} 1.0' in text
    )


def test_strava_s_count_is_shown_beside_the_mirrored_one(client: TestClient, db: Database) -> None:
    add_athlete(db, 11)
    add_athlete(db, 12)
    add_activities(db, 11, [activity(1, days_ago=1), activity(2, days_ago=2)])
    with db.transaction() as conn:
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == 11)
            .values(strava_count=1, strava_count_at=START)
        )
    rows = {r["athlete_id"]: r for r in client.get("/api/admin/athletes", headers=H).json()}
    assert (rows[11]["activity_count"], rows[11]["strava_count"]) == (2, 1)
    assert rows[11]["strava_count_at"].startswith(START.isoformat()[:16])
    assert rows[12]["strava_count"] is None and rows[12]["strava_count_at"] is None
    detail = client.get("/api/admin/athletes/11", headers=H).json()
    assert detail["athlete"]["strava_count"] == 1
    page = client.get("/admin/athletes/11", headers=H).text
    assert "2 activities mirrored /" in page and "≥ 1 on Strava (rides, runs, swims)" in page
    assert "on Strava" not in client.get("/admin/athletes/12", headers=H).text
