"""Data API: activities listing (filters, paging, deletions), one activity, annotations, stats."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from stravasync.store import Database
from stravasync.store import activities as acts
from stravasync.store.schema import activity_annotations
from tests.integration.web.conftest import START, activity, add_activities, add_athlete, api_headers

H = api_headers()


def seed(db: Database) -> None:
    add_athlete(db, 11)
    add_athlete(db, 12)
    add_activities(
        db,
        11,
        [activity(i, days_ago=i, sport="Run" if i % 3 == 0 else "Ride") for i in range(1, 11)],
    )
    add_activities(db, 12, [activity(99, days_ago=1)])
    with db.transaction() as conn:
        acts.tombstone(conn, [2], START)


def test_listing_excludes_deleted_and_other_athletes_and_pages(
    client: TestClient, db: Database
) -> None:
    seed(db)
    seen: list[int] = []
    after = None
    for _ in range(5):
        params = {"limit": 4} | ({"after_id": after} if after else {})
        page = client.get("/api/athletes/11/activities", params=params, headers=H).json()
        seen += [a["id"] for a in page["items"]]
        after = page["next_after_id"]
        if after is None:
            break
    assert seen == [10, 9, 8, 7, 6, 5, 4, 3, 1]


def test_listing_filters_by_time_and_sport(client: TestClient, db: Database) -> None:
    seed(db)
    since = (START - timedelta(days=5, hours=1)).isoformat()
    until = (START - timedelta(days=2, hours=1)).isoformat()
    page = client.get(
        "/api/athletes/11/activities", params={"since": since, "until": until}, headers=H
    ).json()
    assert [a["id"] for a in page["items"]] == [5, 4, 3]
    runs = client.get("/api/athletes/11/activities", params={"sport": "Run"}, headers=H).json()
    assert [a["id"] for a in runs["items"]] == [9, 6, 3]
    naive = client.get(
        "/api/athletes/11/activities", params={"since": "2026-01-01T00:00:00"}, headers=H
    )
    assert naive.status_code == 422
    assert client.get("/api/athletes/404/activities", headers=H).status_code == 404


def test_activity_with_annotations_roundtrip(client: TestClient, db: Database) -> None:
    seed(db)
    one = client.get("/api/activities/5", headers=H).json()
    assert one["summary"]["distance"] == 20000
    assert one["detail"] is None
    assert one["annotations"] == {}
    put = client.put(
        "/api/activities/5/annotations",
        json={"annotations": {"shoe": "blue", "rpe": "7"}},
        headers=H,
    )
    assert put.status_code == 200
    client.put("/api/activities/5/annotations", json={"annotations": {"rpe": "8"}}, headers=H)
    assert client.get("/api/activities/5", headers=H).json()["annotations"] == {"rpe": "8"}
    with db.engine.connect() as conn:
        assert conn.execute(select(activity_annotations.c.key)).scalars().all() == ["rpe"]
    # a re-sync of the activity leaves the notes alone
    add_activities(db, 11, [activity(5, days_ago=5, km=21)])
    assert client.get("/api/activities/5", headers=H).json()["annotations"] == {"rpe": "8"}
    assert client.get("/api/activities/2", headers=H).status_code == 404  # deleted
    bad = client.put("/api/activities/5/annotations", json={"annotations": {"": "x"}}, headers=H)
    assert bad.status_code == 422
    wrong = client.put("/api/activities/5/annotations", json={"annotations": {"a": 1}}, headers=H)
    assert wrong.status_code == 422
    assert (
        client.put(
            "/api/activities/404/annotations", json={"annotations": {}}, headers=H
        ).status_code
        == 404
    )


def test_stats_come_from_the_stats_service(client: TestClient, db: Database) -> None:
    seed(db)
    resp = client.get("/api/athletes/11/stats", headers=H)
    assert resp.status_code == 200
    assert resp.json()["athlete_id"] == 11
    assert client.get("/api/athletes/404/stats", headers=H).status_code == 404
