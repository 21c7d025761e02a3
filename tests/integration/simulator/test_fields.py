"""Every SummaryActivity and DetailedActivity field of STRAVA_API.md, with its JSON type."""

from __future__ import annotations

from typing import Any

import httpx

from stravasync.simulator import Simulator
from tests.integration.simulator.conftest import auth, connect

NUM = (int, float)
OPT_NUM = (int, float, type(None))
OPT_STR = (str, type(None))
SUMMARY: dict[str, tuple[type, ...]] = {
    "id": (int,),
    "athlete": (dict,),
    "name": (str,),
    "distance": NUM,
    "moving_time": (int,),
    "elapsed_time": (int,),
    "total_elevation_gain": NUM,
    "elev_high": OPT_NUM,
    "elev_low": OPT_NUM,
    "type": (str,),
    "sport_type": (str,),
    "workout_type": (int, type(None)),
    "start_date": (str,),
    "start_date_local": (str,),
    "timezone": (str,),
    "utc_offset": (float,),
    "start_latlng": (list,),
    "end_latlng": (list,),
    "achievement_count": (int,),
    "kudos_count": (int,),
    "comment_count": (int,),
    "athlete_count": (int,),
    "photo_count": (int,),
    "total_photo_count": (int,),
    "map": (dict,),
    "trainer": (bool,),
    "commute": (bool,),
    "manual": (bool,),
    "private": (bool,),
    "visibility": (str,),
    "flagged": (bool,),
    "gear_id": OPT_STR,
    "average_speed": NUM,
    "max_speed": NUM,
    "average_cadence": OPT_NUM,
    "average_watts": OPT_NUM,
    "weighted_average_watts": (int, type(None)),
    "kilojoules": OPT_NUM,
    "device_watts": (bool,),
    "has_heartrate": (bool,),
    "average_heartrate": OPT_NUM,
    "max_heartrate": OPT_NUM,
    "upload_id": (int, type(None)),
    "upload_id_str": OPT_STR,
    "external_id": OPT_STR,
    "pr_count": (int,),
    "has_kudoed": (bool,),
    "hide_from_home": (bool,),
    "device_name": OPT_STR,
    "location_city": OPT_STR,
    "location_state": OPT_STR,
    "location_country": OPT_STR,
    "resource_state": (int,),
}
DETAILED: dict[str, tuple[type, ...]] = {
    **SUMMARY,
    "description": OPT_STR,
    "calories": NUM,
    "gear": (dict, type(None)),
    "laps": (list,),
    "splits_metric": (list,),
    "splits_standard": (list,),
    "segment_efforts": (list,),
    "best_efforts": (list,),
    "photos": (dict,),
    "embed_token": (str,),
}


def check(obj: dict[str, Any], spec: dict[str, tuple[type, ...]]) -> None:
    for name, types in spec.items():
        assert name in obj, f"missing {name}"
        value = obj[name]
        assert isinstance(value, types) and not (isinstance(value, bool) and bool not in types), (
            f"{name}={value!r}"
        )


def test_every_field_present_with_the_right_json_type(sim: Simulator, client: httpx.Client) -> None:
    checked = 0
    sports: set[str] = set()
    for athlete in sim.athlete_ids()[:8]:
        h = auth(connect(sim, client, athlete))
        page = client.get("/api/v3/athlete/activities", headers=h, params={"per_page": 200}).json()
        for act in page:
            check(act, SUMMARY)
            assert act["resource_state"] == 2
            assert act["start_date"].endswith("Z") and act["start_date_local"].endswith("Z")
            assert act["visibility"] in ("everyone", "followers_only", "only_me")
            assert set(act["map"]) >= {"id", "summary_polyline"}
            assert (act["map"]["summary_polyline"] == "") == (act["start_latlng"] == [])
            sports.add(act["sport_type"])
        for act in page[:12]:
            detail = client.get(f"/api/v3/activities/{act['id']}", headers=h).json()
            check(detail, DETAILED)
            assert detail["resource_state"] == 3
            assert isinstance(detail["map"]["polyline"], str)
            checked += 1
    assert checked >= 50
    assert len(sports) >= 5


def test_workout_type_codes_follow_the_sport(sim: Simulator) -> None:
    seen: dict[str, set[int | None]] = {"Run": set(), "Ride": set()}
    for athlete in sim.athlete_ids():
        for act in sim.truth(athlete):
            if act["type"] in seen:
                seen[act["type"]].add(act["workout_type"])
    assert seen["Run"] <= {0, 1, 2, 3} and 0 in seen["Run"]
    assert seen["Ride"] <= {None, 10, 11, 12} and 10 in seen["Ride"]
