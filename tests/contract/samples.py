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
