"""Admin API enrich requests: dates and force reach the checkpoint; bad options a clear 422
that changes nothing stored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from stravasync.store import Database
from stravasync.store.schema import sync_state
from tests.integration.web.conftest import add_athlete, admin_headers

H = admin_headers()
URL = "/api/admin/athletes/11/sync"


def checkpoint(db: Database) -> tuple[object, object]:
    with db.engine.connect() as conn:
        row = conn.execute(
            select(sync_state.c.requested_mode, sync_state.c.checkpoint_json).where(
                sync_state.c.athlete_id == 11
            )
        ).one()
    return row.requested_mode, row.checkpoint_json


def test_a_window_with_force_is_stored_as_the_enrich_checkpoint(
    client: TestClient, db: Database
) -> None:
    add_athlete(db, 11)
    body = {
        "mode": "enrich",
        "options": {
            "since": "2026-02-01T00:00:00Z",
            "until": "2026-03-01T12:00:00Z",
            "force": True,
        },
    }
    assert client.post(URL, headers=H, json=body).status_code == 200
    assert checkpoint(db) == (
        "enrich",
        {
            "mode": "enrich",
            "since": "2026-02-01T00:00:00+00:00",
            "until": "2026-03-01T12:00:00+00:00",
            "force": True,
        },
    )


def test_bad_enrich_options_are_refused_and_change_nothing(
    client: TestClient, db: Database
) -> None:
    add_athlete(db, 11)
    assert (
        client.post(URL, headers=H, json={"mode": "enrich", "options": {"all": True}}).status_code
        == 200
    )
    before = checkpoint(db)
    for options, word in (
        ({"since": "2026-03-05T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "until"),
        ({"since": "1850-01-01T00:00:00Z"}, "since"),
        ({"activity_ids": [0]}, "activity_ids"),
        ({"all": True, "since_days": 3}, "all"),
    ):
        response = client.post(URL, headers=H, json={"mode": "enrich", "options": options})
        assert response.status_code == 422, options
        assert word in response.text
    refused = client.post(URL, headers=H, json={"mode": "refresh", "options": {"force": True}})
    assert refused.status_code == 422 and "enrich only" in refused.text
    assert checkpoint(db) == before
