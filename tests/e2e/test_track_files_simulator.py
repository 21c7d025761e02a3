"""Tracks of activities synced from the simulator over real HTTP (a `stravasync simulate`
subprocess), streams on: Mirror.gpx and GET /api/activities/{id}.gpx|.tcx give files that
validate and hold the recorded points; SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import gpxpy
from fastapi.testclient import TestClient

from stravasync import Mirror
from stravasync.clock import RealClock
from stravasync.store import Database, read_streams
from stravasync.store.mirror.exports import iter_activities
from stravasync.web.app import create_app
from tests.e2e.simproc import simulator
from tests.integration.web.conftest import api_headers, make_settings
from tests.track_schemas import schema_errors, tcx_points

SCOPE = "read,activity:read_all"
ATHLETE = 10000001  # the simulator's first athlete


def test_synced_tracks_over_http(db_url: str, tmp_path: Path) -> None:
    with simulator(
        "--athletes", "1", "--seed", "3", "--quota", "unlimited", "--history-days", "20"
    ) as sim:
        athlete = ATHLETE
        code = sim.grant(athlete, SCOPE)
        with Mirror.open(
            db_url,
            client_id=sim.client_id,
            client_secret=sim.client_secret,
            strava_base_url=sim.base_url,
            key_file=tmp_path / "secret.key",
            rate_tier="unlimited",
            sync_enrich_streams=True,
        ) as mirror:
            athlete_id = mirror.connect_code(code, scope=SCOPE)
            report = mirror.sync(until_idle=True, deadline=240)
            assert report.failed == 0 and report.synced >= 1
            db = Database.open(db_url, upgrade=False)
            try:
                with db.engine.connect() as conn:
                    ids = [int(r["id"]) for r in iter_activities(conn, athlete_id=athlete_id)]
                    latlng = {i: (read_streams(conn, i) or {}).get("latlng") for i in ids}
            finally:
                db.close()
            recorded = [i for i in ids if latlng[i]]
            assert recorded, "no activity with a recorded track was synced"
            for activity_id in ids:
                found = mirror.gpx(activity_id)
                if latlng[activity_id]:
                    assert found is not None and found.source == "streams"
                    points = gpxpy.parse(found.data.decode()).tracks[0].segments[0].points
                    assert [[p.latitude, p.longitude] for p in points] == latlng[activity_id]
                    assert all(p.time is not None for p in points)
                elif found is not None:
                    assert found.source == "polyline"

    db = Database.open(db_url, upgrade=False)
    app = create_app(make_settings(db_url), db, clock=RealClock())
    with TestClient(app) as client:
        first = recorded[0]
        res = client.get(f"/api/activities/{first}.gpx", headers=api_headers())
        assert res.status_code == 200 and res.headers["x-track-source"] == "streams"
        assert schema_errors("gpx", res.content) == []
        tcx = client.get(f"/api/activities/{first}.tcx", headers=api_headers())
        assert tcx.status_code == 200 and schema_errors("tcx", tcx.content) == []
        assert len(tcx_points(tcx.content)) == len(latlng[first] or [])
        assert client.get("/api/activities/999999999.gpx", headers=api_headers()).status_code == 404
    db.close()
