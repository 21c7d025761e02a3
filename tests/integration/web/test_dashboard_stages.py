"""The dashboard's athlete page shows each session's stage timings."""

from __future__ import annotations

from fastapi.testclient import TestClient

from stravasync.store import Database
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
