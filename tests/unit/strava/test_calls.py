from __future__ import annotations

from stravasync.strava.calls import CallCounter, endpoint_of


def test_endpoint_templates_hide_ids() -> None:
    assert endpoint_of("GET", "/api/v3/activities/123456/streams") == (
        "GET /api/v3/activities/{id}/streams"
    )
    assert endpoint_of("GET", "/api/v3/athlete/activities") == "GET /api/v3/athlete/activities"
    assert endpoint_of("GET", "/api/v3/gear/b1234") == "GET /api/v3/gear/{id}"  # one label
    assert endpoint_of("POST", "/oauth/token") == "POST /oauth/token"


def test_counts_by_endpoint_and_status() -> None:
    calls = CallCounter()
    calls.record("GET", "/api/v3/activities/1", 200)
    calls.record("GET", "/api/v3/activities/2", 200)
    calls.record("GET", "/api/v3/activities/3", 404)
    assert calls.snapshot() == {
        ("GET /api/v3/activities/{id}", 200): 2,
        ("GET /api/v3/activities/{id}", 404): 1,
    }
