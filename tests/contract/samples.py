"""Small responses written for these tests, shaped like real Strava answers (issue 13).

Written by hand from Strava's published models and the shapes recorded from www.strava.com that
the issue describes; not copied from any project's fixtures. Ids and names are invented.
"""

from __future__ import annotations

from typing import Any

# GET /activities/{id}/kudos: kudoers carry no id (Strava's own swagger example does the same).
KUDOERS: list[dict[str, Any]] = [
    {"resource_state": 2, "firstname": "Ines", "lastname": "K."},
    {"resource_state": 2, "firstname": "Tom", "lastname": "W."},
]

_LISTED: dict[str, Any] = {
    "resource_state": 2,
    "athlete": {"id": 31337, "resource_state": 1},
    "name": "Lunch Run",
    "distance": 8012.4,
    "moving_time": 2401,
    "elapsed_time": 2533,
    "total_elevation_gain": 41.0,
    "type": "Run",
    "sport_type": "Run",
    "workout_type": None,
    "id": 90000000001,
    "start_date": "2025-06-03T10:12:40Z",
    "start_date_local": "2025-06-03T12:12:40Z",
    "timezone": "(GMT+01:00) Europe/Berlin",
    "utc_offset": 7200.0,
    "location_city": None,
    "location_state": None,
    "location_country": "Germany",
    "achievement_count": 2,
    "kudos_count": 4,
    "comment_count": 0,
    "athlete_count": 1,
    "photo_count": 0,
    "map": {"id": "a90000000001", "summary_polyline": "_p~iF~ps|U_ulLnnqC", "resource_state": 2},
    "trainer": False,
    "commute": False,
    "manual": False,
    "private": False,
    "visibility": "everyone",
    "flagged": False,
    "gear_id": None,
    "start_latlng": [52.52, 13.405],
    "end_latlng": [52.5203, 13.4049],
    "average_speed": 3.337,
    "max_speed": 5.1,
    "has_heartrate": True,
    "average_heartrate": 151.2,
    "max_heartrate": 172.0,
    "elev_high": 52.1,
    "elev_low": 33.9,
    "upload_id": 777000111,
    "upload_id_str": "777000111",
    "external_id": "garmin_ping_1234",
    "from_accepted_tag": False,
    "pr_count": 1,
    "total_photo_count": 0,
    "has_kudoed": False,
}


def listed(**changes: Any) -> dict[str, Any]:
    """A SummaryActivity as GET /athlete/activities lists it (no hide_from_home, device_name)."""
    return {**_LISTED, **changes}


def detailed(**changes: Any) -> dict[str, Any]:
    """The same activity from GET /activities/{id}: every listed field plus detail-only keys,
    among them ``hide_from_home`` and ``device_name``, which the listing of a recorded 2025 pair
    did not carry."""
    summary = {**_LISTED, **changes}
    return {
        **summary,
        "resource_state": 3,
        "map": {**summary["map"], "resource_state": 3, "polyline": "_p~iF~ps|U_ulLnnqC_mqNvxq`@"},
        "hide_from_home": False,
        "device_name": "Garmin Forerunner 265",
        "suffer_score": 38.0,
        "description": "",
        "calories": 512.0,
        "laps": [],
        "splits_metric": [],
        "segment_efforts": [],
        "embed_token": "0f0f0f0f",
    }


# POST /oauth/token with a client_id Strava does not know.
INVALID_CLIENT_ID = {
    "message": "Bad Request",
    "errors": [{"resource": "Application", "field": "client_id", "code": "invalid"}],
}
# POST /oauth/token with a code that is wrong or already used.
INVALID_CODE = {
    "message": "Bad Request",
    "errors": [{"resource": "RequestToken", "field": "code", "code": "invalid"}],
}
# POST /oauth/token with the right client_id and a wrong secret.
WRONG_SECRET = {
    "message": "Authorization Error",
    "errors": [{"resource": "Application", "field": "", "code": "invalid"}],
}


def _total(count: int, distance: float, moving: int, elapsed: int, climb: float) -> dict[str, Any]:
    return {
        "count": count,
        "distance": distance,
        "moving_time": moving,
        "elapsed_time": elapsed,
        "elevation_gain": climb,
    }


# GET /athletes/{id}/stats (ActivityStats): Strava publishes no example; shaped by its model,
# achievement_count in the recent totals only (as Strava answers).
STATS: dict[str, Any] = {
    "biggest_ride_distance": 175371.0,
    "biggest_climb_elevation_gain": 1021.4,
    "recent_ride_totals": {**_total(6, 312000.5, 41000, 45210, 2300.0), "achievement_count": 4},
    "recent_run_totals": {**_total(3, 31000.2, 9700, 10020, 120.0), "achievement_count": 0},
    "recent_swim_totals": {**_total(0, 0.0, 0, 0, 0.0), "achievement_count": 0},
    "ytd_ride_totals": _total(140, 6200000.0, 820000, 901000, 48000.0),
    "ytd_run_totals": _total(61, 590000.0, 190000, 201000, 3100.0),
    "ytd_swim_totals": _total(4, 6000.0, 7200, 7600, 0.0),
    "all_ride_totals": _total(402, 17500000.0, 2300000, 2540000, 140000.0),
    "all_run_totals": _total(233, 2100000.0, 700000, 741000, 11000.0),
    "all_swim_totals": _total(12, 19000.0, 23000, 24500, 0.0),
}
# 403 for another athlete's stats (the id must match the authenticated athlete).
STATS_FORBIDDEN = {
    "message": "Forbidden",
    "errors": [{"resource": "Athlete", "field": "id", "code": "forbidden"}],
}
# 404 for a record Strava does not know (or will not show).
NOT_FOUND = {
    "message": "Record Not Found",
    "errors": [{"resource": "Athlete", "field": "id", "code": "invalid"}],
}
