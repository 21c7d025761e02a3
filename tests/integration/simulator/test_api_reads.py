from __future__ import annotations

from typing import Any

import httpx

from stravasync.simulator import Simulator
from tests.integration.simulator.conftest import auth, busiest, connect, make_sim

RATE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Usage",
    "X-ReadRateLimit-Limit",
    "X-ReadRateLimit-Usage",
)


def all_pages(client: httpx.Client, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        resp = client.get(
            "/api/v3/athlete/activities", headers=headers, params={**params, "page": page}
        )
        assert resp.status_code == 200
        items = resp.json()
        if not items:
            return out
        out.extend(items)
        page += 1


def test_list_newest_first_default_30_capped_at_200_and_empty_past_the_end(
    sim: Simulator, client: httpx.Client
) -> None:
    athlete = busiest(sim)
    token = connect(sim, client, athlete)
    h = auth(token)
    first = client.get("/api/v3/athlete/activities", headers=h).json()
    assert len(first) == 30
    starts = [a["start_date"] for a in first]
    assert starts == sorted(starts, reverse=True)
    big = client.get("/api/v3/athlete/activities", headers=h, params={"per_page": 500}).json()
    assert len(big) == 200
    everything = all_pages(client, h, per_page=200)
    assert [a["id"] for a in everything] == [a["id"] for a in sim.truth(athlete)]
    past = client.get(
        "/api/v3/athlete/activities", headers=h, params={"per_page": 200, "page": 99}
    ).json()
    assert past == []


def test_after_returns_oldest_first_and_filters_on_start_time(
    sim: Simulator, client: httpx.Client
) -> None:
    athlete = busiest(sim)
    h = auth(connect(sim, client, athlete))
    truth = sim.truth(athlete)
    pivot = truth[len(truth) // 2]
    from datetime import datetime

    from stravasync.clock import to_epoch

    pivot_epoch = to_epoch(datetime.fromisoformat(pivot["start_date"].replace("Z", "+00:00")))
    after = all_pages(client, h, after=pivot_epoch, per_page=7)
    starts = [a["start_date"] for a in after]
    assert starts == sorted(starts)
    assert pivot["id"] not in {a["id"] for a in after}  # strictly after
    assert {a["id"] for a in after} == {a["id"] for a in truth[: len(truth) // 2]}
    before = all_pages(client, h, before=pivot_epoch)
    assert {a["id"] for a in before} == {a["id"] for a in truth[len(truth) // 2 + 1 :]}
    assert [a["start_date"] for a in before] == sorted(
        (a["start_date"] for a in before), reverse=True
    )


def test_private_activities_need_read_all_and_pages_may_be_short() -> None:
    sim = make_sim(athletes=40)
    client = sim.http_client()
    athlete = max(
        sim.athlete_ids(), key=lambda a: sum(x["visibility"] == "only_me" for x in sim.truth(a))
    )
    full = sim.truth(athlete, "activity:read_all")
    private = {a["id"] for a in full if a["visibility"] == "only_me"}
    assert private
    h = auth(connect(sim, client, athlete, "read,activity:read"))
    listed = all_pages(client, h, per_page=20)
    assert {a["id"] for a in listed} == {a["id"] for a in full} - private
    pages = [
        client.get(
            "/api/v3/athlete/activities", headers=h, params={"per_page": 20, "page": p}
        ).json()
        for p in range(1, 6)
    ]
    assert any(0 < len(p) < 20 for p in pages[:-1] if p)  # short page before the end
    detail = client.get(f"/api/v3/activities/{next(iter(private))}", headers=h)
    assert detail.status_code == 404
    assert detail.json()["message"] == "Record Not Found"


def test_token_without_activity_scope_gets_401_missing_permission(
    sim: Simulator, client: httpx.Client
) -> None:
    h = auth(connect(sim, client, sim.athlete_ids()[0], "read"))
    resp = client.get("/api/v3/athlete/activities", headers=h)
    assert resp.status_code == 401
    assert resp.json() == {
        "message": "Authorization Error",
        "errors": [
            {"resource": "AccessToken", "field": "activity:read_permission", "code": "missing"}
        ],
    }
    assert client.get("/api/v3/athlete", headers=h).status_code == 200


def test_bad_token_401_and_rate_headers_on_every_response(client: httpx.Client) -> None:
    for path in (
        "/api/v3/athlete",
        "/api/v3/athlete/activities",
        "/api/v3/activities/1",
        "/api/v3/nothing/here",
    ):
        resp = client.get(path, headers={"Authorization": "Bearer nope"})
        assert resp.status_code in (401, 404)
        for name in RATE_HEADERS:
            assert "," in resp.headers[name.lower()]
    body = client.get("/api/v3/athlete").json()
    assert body["errors"][0] == {"resource": "Athlete", "field": "access_token", "code": "invalid"}


def test_other_athletes_activity_404_and_stats_only_for_own_athlete(
    sim: Simulator, client: httpx.Client
) -> None:
    a, b = sim.athlete_ids()[:2]
    ha = auth(connect(sim, client, a))
    other = next(x for x in sim.truth(b))
    assert client.get(f"/api/v3/activities/{other['id']}", headers=ha).status_code == 404
    own = client.get(f"/api/v3/athletes/{a}/stats", headers=ha)
    assert own.status_code == 200
    totals = own.json()["all_run_totals"]
    runs = [
        x
        for x in sim.truth(a, "activity:read")
        if x["sport_type"] in ("Run", "TrailRun", "VirtualRun")
    ]
    assert totals["count"] == len(runs)
    assert client.get(f"/api/v3/athletes/{b}/stats", headers=ha).status_code == 403


def test_detail_laps_streams_kudos(sim: Simulator, client: httpx.Client) -> None:
    athlete = busiest(sim)
    h = auth(connect(sim, client, athlete))
    gps = next(a for a in sim.truth(athlete) if a["start_latlng"] and a["distance"] > 3000)
    act_id = gps["id"]
    detail = client.get(f"/api/v3/activities/{act_id}", headers=h).json()
    assert detail["resource_state"] == 3 and detail["map"]["polyline"]
    assert sum(lap["distance"] for lap in detail["laps"]) == sum(
        lap["distance"] for lap in client.get(f"/api/v3/activities/{act_id}/laps", headers=h).json()
    )
    assert abs(sum(s["distance"] for s in detail["splits_metric"]) - detail["distance"]) < 2
    keyed = client.get(
        f"/api/v3/activities/{act_id}/streams",
        headers=h,
        params={"keys": "time,latlng,altitude,bogus", "key_by_type": "true"},
    ).json()
    assert set(keyed) == {"time", "latlng", "altitude", "distance"}
    for stream in keyed.values():
        assert stream["series_type"] == "distance"
        assert stream["resolution"] in ("low", "medium", "high")
        assert len(stream["data"]) == stream["original_size"]
    listed = client.get(
        f"/api/v3/activities/{act_id}/streams", headers=h, params={"keys": "time"}
    ).json()
    assert {s["type"] for s in listed} == {"time", "distance"}
    kudos = client.get(
        f"/api/v3/activities/{act_id}/kudos", headers=h, params={"per_page": 200}
    ).json()
    assert len(kudos) == detail["kudos_count"]


def test_include_all_efforts_adds_hidden_segment_efforts(
    sim: Simulator, client: httpx.Client
) -> None:
    for athlete in sim.athlete_ids():
        rides = [
            a
            for a in sim.truth(athlete)
            if a["type"] in ("Ride", "Run") and a["start_latlng"] and a["distance"] > 40000
        ]
        if rides:
            break
    h = auth(connect(sim, client, athlete))
    some = client.get(f"/api/v3/activities/{rides[0]['id']}", headers=h).json()
    every = client.get(
        f"/api/v3/activities/{rides[0]['id']}", headers=h, params={"include_all_efforts": "true"}
    ).json()
    assert len(every["segment_efforts"]) >= len(some["segment_efforts"])
    assert len(every["segment_efforts"]) == min(30, int(rides[0]["distance"] // 4000))
    assert all(not e["hidden"] for e in some["segment_efforts"])
