"""The dashboard's athlete page shows each session's stage timings."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from stravasync.store import Database
from stravasync.store import me as me_q
from stravasync.store import sessions as session_q
from tests.integration.web.conftest import START, add_athlete, admin_headers


def test_athlete_page_shows_stage_seconds(client: TestClient, db: Database) -> None:
    add_athlete(db, 77)
    with db.transaction() as conn:
        sid = session_q.start_session(
            conn, athlete_id=77, mode="backfill", trigger="cli", now=START
        )
        session_q.finish_session(
            conn,
            sid,
            status="synced",
            now=START,
            api_calls=3,
            summary={"stage_seconds": {"listing": 1.25, "store": 0.5, "stats": 0.125}},
        )
    page = client.get("/admin/athletes/77", headers=admin_headers())
    assert page.status_code == 200
    assert "listing 1.25" in page.text and "store 0.50" in page.text


def test_dashboard_lists_the_latest_export_runs_with_their_stages(
    client: TestClient, db: Database
) -> None:
    empty = client.get("/admin", headers=admin_headers())
    assert empty.status_code == 200 and "No export yet" in empty.text
    from stravasync.export.runs import record_run

    record_run(
        db,
        mode="warehouse",
        trigger="schedule",
        status="done",
        started_at=START,
        finished_at=START,
        summary={
            "format": "duckdb",
            "seconds": 2.5,
            "rows": {"upserted": 40, "removed": 1},
            "stage_seconds": {"query": 1.25, "views": 0.25, "write": 1.0},
        },
    )
    add_athlete(db, 78)  # an athlete's session is not an export run
    with db.transaction() as conn:
        sid = session_q.start_session(
            conn, athlete_id=78, mode="backfill", trigger="cli", now=START
        )
        session_q.finish_session(
            conn, sid, status="synced", now=START, api_calls=1, summary={"stage_seconds": {}}
        )
    page = client.get("/admin", headers=admin_headers())
    assert page.status_code == 200
    section = page.text.split('id="exports"', 1)[1].split("</section>", 1)[0]
    assert "warehouse" in section and "schedule" in section and "upserted 40" in section
    assert "query 1.25 · views 0.25 · write 1.00" in section
    assert "backfill" not in section and section.count('class="export-run"') == 1


def test_dashboard_shows_the_webhook_subscription_state(client: TestClient, db: Database) -> None:
    """Issue 23, trip 1: subscribed or not, where events go, when the last one arrived."""
    from stravasync.store import admin as admin_q
    from stravasync.sync.settings import WEBHOOK_CALLBACK_KEY
    from tests.integration.web.conftest import SUBSCRIPTION, subscribe

    page = client.get("/admin", headers=admin_headers())
    text = " ".join(page.text.split())
    assert "not subscribed" in text
    assert '<dt>Last event received</dt> <dd id="webhook-last-event">never</dd>' in text
    subscribe(db)
    with db.transaction() as conn:
        admin_q.put_setting(conn, WEBHOOK_CALLBACK_KEY, "https://example.test/hook", now=START)
    event = {
        "object_type": "activity",
        "object_id": 1,
        "aspect_type": "create",
        "owner_id": 77,
        "subscription_id": SUBSCRIPTION,
        "event_time": 1_700_000_000,
        "updates": {},
    }
    assert client.post("/webhooks/strava", json=event).status_code == 200
    page = client.get("/admin", headers=admin_headers())
    text = " ".join(page.text.split())
    assert f"subscribed</span> id {SUBSCRIPTION}" in text
    assert "<dt>Callback URL</dt> <dd><code>https://example.test/hook</code></dd>" in text
    assert f'<dd id="webhook-last-event">{START:%Y-%m-%d %H:%M} UTC</dd>' in text


def test_athlete_page_shows_the_audit_log_of_that_athlete_only(
    client: TestClient, db: Database
) -> None:
    add_athlete(db, 77)
    add_athlete(db, 78)
    with db.transaction() as conn:
        me_q.record(conn, 77, "sign_in", START)
        me_q.record(conn, 77, "pause", START + timedelta(minutes=5))
        me_q.record(conn, 78, "app_resume", START)
    page = client.get("/admin/athletes/77", headers=admin_headers()).text
    section = page.split("Actions on this athlete", 1)[1]
    assert section.index("pause") < section.index("sign_in")  # newest first
    assert "app_resume" not in section
    empty = client.get("/admin/athletes/78", headers=admin_headers()).text
    assert "app_resume" in empty.split("Actions on this athlete", 1)[1]
