"""GET /api/activities/{id}.gpx and .tcx (data API realm), on SQLite and PostgreSQL."""

from __future__ import annotations

import gpxpy
from fastapi.testclient import TestClient

from stravasync.store import Database
from stravasync.store.people.athletes import set_flags
from tests.integration.export.trackseed import NOW, OTHER_ID, ROUTE, seed_tracks
from tests.integration.web.conftest import admin_headers, api_headers
from tests.track_schemas import schema_errors


def test_track_routes(db: Database, client: TestClient) -> None:
    seed_tracks(db)
    res = client.get("/api/activities/101.gpx", headers=api_headers())
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/gpx+xml")
    assert res.headers["x-track-source"] == "streams"
    assert res.headers["content-disposition"] == 'attachment; filename="2026-03-02_101.gpx"'
    assert res.headers["cache-control"] == "private, no-cache"
    assert schema_errors("gpx", res.content) == []

    poly = client.get("/api/activities/102.gpx", headers=api_headers())
    assert poly.status_code == 200 and poly.headers["x-track-source"] == "polyline"
    points = gpxpy.parse(poly.text).tracks[0].segments[0].points
    assert [(p.latitude, p.longitude) for p in points] == [
        (round(a, 5), round(b, 5)) for a, b in ROUTE
    ]

    tcx = client.get("/api/activities/102.tcx", headers=api_headers())
    assert tcx.status_code == 200
    assert tcx.headers["content-type"].startswith("application/vnd.garmin.tcx+xml")
    assert tcx.headers["x-track-source"] == "polyline"
    assert schema_errors("tcx", tcx.content) == []

    # the activity itself is still served as before (the .gpx route does not shadow it)
    assert client.get("/api/activities/101", headers=api_headers()).json()["summary"]["id"] == 101

    for path in ("/api/activities/104.gpx", "/api/activities/105.gpx", "/api/activities/999.tcx"):
        res = client.get(path, headers=api_headers())  # no track, deleted, unknown
        assert res.status_code == 404, path
        assert "no track" in res.json()["detail"]
    assert client.get("/api/activities/101.gpx").status_code == 401
    assert client.get("/api/activities/101.gpx", headers=admin_headers()).status_code == 401
    assert client.get("/api/activities/0.gpx", headers=api_headers()).status_code == 422
    assert client.get("/api/activities/abc.gpx", headers=api_headers()).status_code == 422

    with db.transaction() as conn:
        set_flags(conn, 2, now=NOW, hidden=True)
    hidden = f"/api/activities/{OTHER_ID}.gpx"
    assert client.get(hidden, headers=api_headers()).status_code == 404
    shown = client.get(hidden, params={"include_hidden": "true"}, headers=api_headers())
    assert shown.status_code == 200 and shown.headers["x-track-source"] == "streams"


def test_the_routes_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for fmt, media in (("gpx", "application/gpx+xml"), ("tcx", "application/vnd.garmin.tcx+xml")):
        op = paths[f"/api/activities/{{activity_id}}.{fmt}"]["get"]
        assert media in op["responses"]["200"]["content"]
        assert "X-Track-Source" in op["responses"]["200"]["headers"]
        assert "404" in op["responses"] and "401" in op["responses"]
        assert op["security"]
