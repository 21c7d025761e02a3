"""Data API: an athlete's gear, and the gear's name on the activities that name it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from stravasync.store import Database
from stravasync.store.mirror import gear as gear_q
from stravasync.store.people import athletes as athlete_q
from tests.integration.web.conftest import (
    START,
    activity,
    add_activities,
    add_athlete,
    admin_headers,
    api_headers,
)

H = api_headers()


def seed(db: Database) -> None:
    """Athlete 11: a bike (b1) on activity 1, retired shoes (g2) on activity 2, activity 3 on
    gear not read yet (b9); athlete 12: a bike of their own on activity 99."""
    add_athlete(db, 11)
    add_athlete(db, 12)
    add_activities(
        db,
        11,
        [
            activity(1, days_ago=1) | {"gear_id": "b1"},
            activity(2, days_ago=2, sport="Run") | {"gear_id": "g2"},
            activity(3, days_ago=3) | {"gear_id": "b9"},
        ],
    )
    add_activities(db, 12, [activity(99, days_ago=1) | {"gear_id": "b5"}])
    with db.transaction() as conn:
        bike = {"id": "b1", "name": "Canyon Ultimate", "primary": True, "distance": 1234.5}
        gear_q.store_listed(conn, 11, [bike], [], START)
        shoes = {"id": "g2", "name": "Old Hokas", "brand_name": "Hoka", "retired": True}
        gear_q.store_detailed(conn, 11, "g2", shoes, START, listed=False)
        gear_q.store_listed(conn, 12, [{"id": "b5", "name": "Theirs"}], [], START)


def test_gear_of_an_athlete(client: TestClient, db: Database) -> None:
    seed(db)
    resp = client.get("/api/athletes/11/gear", headers=H)
    assert resp.status_code == 200
    gear = resp.json()
    assert [(g["id"], g["kind"], g["name"], g["retired"]) for g in gear] == [
        ("b1", "bike", "Canyon Ultimate", False),
        ("g2", "shoe", "Old Hokas", True),
    ]
    assert gear[0]["distance"] == 1234.5 and gear[0]["is_primary"] is True
    assert gear[1]["brand"] == "Hoka" and "raw_json" not in gear[1]
    assert client.get("/api/athletes/12/gear", headers=H).json()[0]["name"] == "Theirs"
    assert client.get("/api/athletes/404/gear", headers=H).status_code == 404
    assert client.get("/api/athletes/11/gear").status_code == 401  # the data API key realm
    assert client.get("/api/athletes/0/gear", headers=H).status_code == 422  # bounded id


def test_hidden_athlete_s_gear_only_with_include_hidden(client: TestClient, db: Database) -> None:
    seed(db)
    with db.transaction() as conn:
        athlete_q.set_flags(conn, 11, hidden=True, now=START)
    assert client.get("/api/athletes/11/gear", headers=H).status_code == 404
    shown = client.get("/api/athletes/11/gear", params={"include_hidden": "true"}, headers=H)
    assert len(shown.json()) == 2


def test_activities_carry_their_gear_s_name(client: TestClient, db: Database) -> None:
    seed(db)
    page = client.get("/api/athletes/11/activities", headers=H).json()
    named = {a["id"]: (a["gear_id"], a["gear_name"]) for a in page["items"]}
    assert named == {1: ("b1", "Canyon Ultimate"), 2: ("g2", "Old Hokas"), 3: ("b9", None)}
    one = client.get("/api/activities/99", headers=H).json()["summary"]
    assert (one["gear_id"], one["gear_name"]) == ("b5", "Theirs")


def test_openapi_documents_the_gear_route(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    op = doc["paths"]["/api/athletes/{athlete_id}/gear"]["get"]
    assert set(op["responses"]) >= {"200", "401", "404"}
    assert "GearOut" in doc["components"]["schemas"]
    assert "gear_name" in doc["components"]["schemas"]["ActivitySummary"]["properties"]


def test_the_operator_s_athlete_page_lists_the_gear(client: TestClient, db: Database) -> None:
    seed(db)
    page = client.get("/admin/athletes/11", headers=admin_headers())
    assert page.status_code == 200
    gear = page.text.split('id="gear"', 1)[1].split("</section>", 1)[0]
    assert "Canyon Ultimate" in gear and "Old Hokas" in gear and "retired" in gear
    assert "Theirs" not in gear  # athlete 12's bike is on their own page only
    add_athlete(db, 13)
    assert "No gear read yet." in client.get("/admin/athletes/13", headers=admin_headers()).text
