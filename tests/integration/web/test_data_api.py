"""Data API: activities listing (filters, paging, deletions), one activity, annotations, stats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from stravasync.clock import VirtualClock
from stravasync.stats.refresh import refresh_athlete_stats
from stravasync.stats.service import athlete_stats
from stravasync.store import Database
from stravasync.store.mirror import activities as acts
from stravasync.store.schema import activity_annotations
from stravasync.web.app import create_app
from tests.integration.web.conftest import (
    START,
    activity,
    add_activities,
    add_athlete,
    api_headers,
    make_settings,
)

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
    assert resp.json()["activity_count"] == -1  # the injected service answered
    assert client.get("/api/athletes/404/stats", headers=H).status_code == 404


def _stats_client(db: Database, db_url: str, clock: VirtualClock) -> TestClient:
    """An app with the real stats service (no ``Services(stats=...)``)."""
    return TestClient(create_app(make_settings(db_url), db, clock=clock))


def _ed(number: int, at_or_above_next: int) -> dict[str, int]:
    return {
        "number": number,
        "next": number + 1,
        "days_needed_for_next": number + 1 - at_or_above_next,
        "days_at_or_above_next": at_or_above_next,
    }


def _row(period: str, sport: str, count: int, km: float) -> dict[str, object]:
    return {
        "period": period,
        "sport": sport,
        "count": count,
        "distance_m": km * 1000,
        "moving_time_s": 3600 * count,
        "elevation_m": 0.0,
    }


def test_stats_from_the_store_through_the_real_stats_service(
    db: Database, db_url: str, clock: VirtualClock
) -> None:
    add_athlete(db, 11)
    add_athlete(db, 12)
    race = activity(2, days_ago=1, sport="Run", km=2) | {"workout_type": 1}
    add_activities(
        db,
        11,
        [
            activity(1, days_ago=1, km=3),  # same local day as the run: 5 km overall
            race,
            activity(3, days_ago=2, km=4),
            activity(4, days_ago=3, km=5),
            activity(5, days_ago=4, sport="Run", km=1),
            activity(6, days_ago=5, sport="Swim", km=9),  # counts only towards overall
            activity(7, days_ago=6, km=50),  # deleted below: counts nowhere
        ],
    )
    add_activities(db, 12, [activity(99, days_ago=1, km=100)])  # somebody else's
    with db.transaction() as conn:
        acts.tombstone(conn, [7], START)
    with _stats_client(db, db_url, clock) as client:
        resp = client.get("/api/athletes/11/stats", headers=H)
        assert resp.status_code == 200
        doc = resp.json()
        # days: 5, 4, 5, 1, 9 km overall; rides 3, 4, 5 km; runs 2, 1 km
        assert doc["eddington"] == {
            "overall": {"km": _ed(4, 3), "miles": _ed(3, 1)},
            "ride": {"km": _ed(3, 2), "miles": _ed(2, 1)},
            "run": {"km": _ed(1, 1), "miles": _ed(1, 0)},
        }
        assert doc["activity_count"] == 6
        assert doc["computed_at"] is None  # nothing cached yet: computed for this answer
        assert doc["rollups"]["monthly"] == [
            _row("2026-02", "Ride", 2, 9),
            _row("2026-02", "Run", 1, 1),
            _row("2026-02", "Swim", 1, 9),
            _row("2026-03", "Ride", 1, 3),
            _row("2026-03", "Run", 1, 2),
        ]
        assert doc["rollups"]["yearly"] == [
            _row("2026", "Ride", 3, 12),
            _row("2026", "Run", 2, 3),
            _row("2026", "Swim", 1, 9),
        ]
        assert [r["id"] for r in doc["races"]] == [2]
        longest = {g: (r["longest"] or {}).get("id") for g, r in doc["records"].items()}
        assert longest == {"overall": 6, "ride": 4, "run": 2}
        assert doc["records"]["ride"]["biggest_climb"] is None  # no elevation anywhere
        # the typed response model passes the service's document through unchanged
        with db.engine.connect() as conn:
            assert doc == athlete_stats(conn, 11)

        # after a sync the cache answers; a change makes it stale and it is computed again
        with db.transaction() as conn:
            refresh_athlete_stats(conn, 11, START)
        cached = client.get("/api/athletes/11/stats", headers=H).json()
        assert cached["computed_at"] == START.isoformat()
        assert cached["eddington"] == doc["eddington"]
        add_activities(db, 11, [activity(8, days_ago=7, km=6)])
        fresh = client.get("/api/athletes/11/stats", headers=H).json()
        assert fresh["computed_at"] is None and fresh["activity_count"] == 7
        assert fresh["eddington"]["ride"]["km"] == _ed(3, 3)  # rides 3, 4, 5, 6 km: one short of 4

        empty = client.get("/api/athletes/12/stats", headers=H).json()
        assert empty["activity_count"] == 1 and empty["eddington"]["overall"]["km"]["number"] == 1


def test_openapi_describes_the_stats_document(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    op = doc["paths"]["/api/athletes/{athlete_id}/stats"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    stats = schemas[ref.rsplit("/", 1)[-1]]
    assert set(stats["required"]) == {
        "athlete_id",
        "version",
        "computed_at",
        "activity_count",
        "day_basis",
        "eddington",
        "rollups",
        "races",
        "records",
    }
    assert stats.get("additionalProperties") is not True

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        return dict(schemas[node["$ref"].rsplit("/", 1)[-1]]) if "$ref" in node else node

    groups = resolve(stats["properties"]["eddington"])
    km = resolve(resolve(groups["properties"]["ride"])["properties"]["km"])
    assert set(km["required"]) == {
        "number",
        "next",
        "days_needed_for_next",
        "days_at_or_above_next",
    }
    row = resolve(resolve(stats["properties"]["rollups"])["properties"]["weekly"]["items"])
    assert row["properties"]["distance_m"]["type"] == "number"
