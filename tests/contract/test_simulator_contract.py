"""Every answer the simulator gives, held to Strava's published definition (``spec.py``).

For each endpoint the simulator serves, the answers for six athletes (every activity they
list, the detail with laps, splits and efforts, laps, streams, kudos, stats), the token answers,
the push subscriptions and the errors are validated against Strava's models.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.simulator.content.geometry import decode_polyline
from stravasync.strava.client import STREAM_KEYS
from tests.contract import spec

START = datetime(2026, 7, 6, 8, 0, tzinfo=UTC)  # summer: daylight saving in the north
ATHLETES = 6
ALL_SCOPES = "read,activity:read_all,profile:read_all"


@pytest.fixture(scope="module")
def sim() -> Simulator:
    config = SimConfig(seed=11, athletes=ATHLETES, history_days=90, quota="unlimited")
    return Simulator(config, clock=VirtualClock(START))


@pytest.fixture(scope="module")
def http(sim: Simulator) -> Iterator[httpx.Client]:
    with sim.http_client() as c:
        yield c


def token(sim: Simulator, http: httpx.Client, athlete_id: int, scope: str) -> dict[str, Any]:
    resp = http.post(
        "/oauth/token",
        data={
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "code": sim.grant(athlete_id, scope),
            "grant_type": "authorization_code",
        },
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


@pytest.fixture(scope="module")
def answers(sim: Simulator, http: httpx.Client) -> dict[str, list[Any]]:
    """Every answer of every served endpoint for every athlete, by endpoint."""
    out: dict[str, list[Any]] = {p: [] for p in spec.SERVED}
    out["token"] = []
    for athlete_id in sim.athlete_ids():
        tok = token(sim, http, athlete_id, ALL_SCOPES)
        out["token"].append(tok)
        h = {"Authorization": f"Bearer {tok['access_token']}"}

        def get(path: str, h: dict[str, str] = h, **params: Any) -> Any:
            resp = http.get(f"/api/v3{path}", headers=h, params=params)
            assert resp.status_code == 200, (path, resp.text)
            return resp.json()

        out["/athlete"].append(get("/athlete"))
        listing = get("/athlete/activities", per_page=200)
        out["/athlete/activities"].append(listing)
        for act in listing[:6]:
            i = act["id"]
            out["/activities/{id}"].append(get(f"/activities/{i}", include_all_efforts="true"))
            out["/activities/{id}/laps"].append(get(f"/activities/{i}/laps"))
            out["/activities/{id}/kudos"].append(get(f"/activities/{i}/kudos", per_page=200))
            keys = ",".join(STREAM_KEYS)  # low resolution: the shape, not 10,000 points
            streams = get(
                f"/activities/{i}/streams", keys=keys, key_by_type="true", resolution="low"
            )
            out["/activities/{id}/streams"].append(streams)
        out["/athletes/{id}/stats"].append(get(f"/athletes/{athlete_id}/stats"))
        worn = {a["gear_id"] for a in listing if a["gear_id"]}
        for gear_id in sorted(worn | {g["id"] for g in gear_of(out["/athlete"][-1])}):
            out["/gear/{id}"].append(get(f"/gear/{gear_id}"))
    return out


def gear_of(athlete: dict[str, Any]) -> list[dict[str, Any]]:
    return [*athlete.get("bikes", []), *athlete.get("shoes", [])]


@pytest.mark.parametrize("path", spec.SERVED)
def test_every_answer_fits_strava_s_model(answers: dict[str, list[Any]], path: str) -> None:
    schema = spec.response_schema("get", path)
    assert answers[path], path
    for answer in answers[path]:
        assert spec.problems(answer, schema) == [], path


def test_the_world_exercises_every_part_of_a_detail(answers: dict[str, list[Any]]) -> None:
    """The detail answers validated above hold laps, splits, efforts and gear: not vacuous."""
    details = answers["/activities/{id}"]
    for key in ("laps", "splits_metric", "splits_standard", "segment_efforts", "best_efforts"):
        assert any(d[key] for d in details), key
    assert any(d["gear"] for d in details)
    assert any(sum(len(k) for k in answers["/activities/{id}/kudos"]) for _ in [0])
    assert any(len(s) > 5 for s in answers["/activities/{id}/streams"])


def test_gear_is_strava_s(answers: dict[str, list[Any]]) -> None:
    """GET /athlete lists current bikes and shoes (SummaryGear, resource_state 2); GET /gear/{id}
    answers DetailedGear (3) for them and for retired gear that older activities still name."""
    listed = {g["id"] for a in answers["/athlete"] for g in gear_of(a)}
    assert listed and all(g["resource_state"] == 2 for a in answers["/athlete"] for g in gear_of(a))
    described = {g["id"]: g for g in answers["/gear/{id}"]}
    assert listed < described.keys()  # some gear is retired: not listed, still described
    for gear_id, g in described.items():
        assert g["resource_state"] == 3 and g["retired"] == (gear_id not in listed)
        assert g["brand_name"] and g["model_name"] and g["name"]
        assert ("frame_type" in g) == gear_id.startswith("b")
    schema = spec.model_schema("SummaryGear")
    for a in answers["/athlete"]:
        assert a["resource_state"] == 3
        assert all(spec.problems(g, schema) == [] for g in gear_of(a))


def test_another_athlete_s_gear_is_not_found(
    sim: Simulator, http: httpx.Client, answers: dict[str, list[Any]]
) -> None:
    """Strava documents no scope for GET /gear/{id}; someone else's gear (or an unknown id) is
    a 404 Fault, as an activity one may not see. ``read`` alone reads one's own gear."""
    owner = next(a for a in answers["/athlete"] if gear_of(a))
    first = owner["id"]
    second = next(i for i in sim.athlete_ids() if i != first)
    own = gear_of(owner)[0]["id"]
    tok = token(sim, http, second, "read")
    h = {"Authorization": f"Bearer {tok['access_token']}"}
    theirs = http.get(f"/api/v3/gear/{own}", headers=h)
    assert theirs.status_code == 404 and _fault(theirs)["errors"][0]["resource"] == "Gear"
    assert http.get("/api/v3/gear/b999999", headers=h).status_code == 404
    mine = token(sim, http, first, "read")["access_token"]
    ok = http.get(f"/api/v3/gear/{own}", headers={"Authorization": f"Bearer {mine}"})
    assert ok.status_code == 200 and ok.json()["id"] == own


def test_token_answers_carry_a_summary_athlete(answers: dict[str, list[Any]]) -> None:
    """The shape of Strava's authentication page (not in the swagger)."""
    for tok in answers["token"]:
        assert tok["token_type"] == "Bearer"
        assert isinstance(tok["access_token"], str) and isinstance(tok["refresh_token"], str)
        assert isinstance(tok["expires_at"], int) and isinstance(tok["expires_in"], int)
        assert spec.problems(tok["athlete"], spec.model_schema("SummaryAthlete")) == []
        assert tok["athlete"]["resource_state"] == 2
        assert "bio" not in tok["athlete"] and "weight" not in tok["athlete"]


def test_athlete_without_profile_read_all_is_a_summary(sim: Simulator, http: httpx.Client) -> None:
    tok = token(sim, http, sim.athlete_ids()[1], "read,activity:read_all")
    body = http.get("/api/v3/athlete", headers={"Authorization": f"Bearer {tok['access_token']}"})
    athlete = body.json()
    assert athlete["resource_state"] == 2
    assert spec.problems(athlete, spec.model_schema("SummaryAthlete")) == []
    assert "bio" not in athlete and "weight" not in athlete


def test_stats_count_achievements_only_in_recent_totals(answers: dict[str, list[Any]]) -> None:
    for stats in answers["/athletes/{id}/stats"]:
        for name, total in stats.items():
            if name.endswith("_totals"):
                assert ("achievement_count" in total) == name.startswith("recent_"), name


def test_details_carry_what_real_ones_do(answers: dict[str, list[Any]]) -> None:
    """suffer_score; activity.visibility in laps and efforts; a segment's elevation_profile;
    average_watts in a lap only with a power meter."""
    for d in answers["/activities/{id}"]:
        assert "suffer_score" in d
        for lap in d["laps"]:
            assert lap["activity"]["visibility"] == d["visibility"]
            assert ("average_watts" in lap) == bool(d["device_watts"])
        for effort in d["segment_efforts"]:
            assert effort["activity"]["visibility"] == d["visibility"]
            assert effort["segment"]["elevation_profile"]
    assert any(d["suffer_score"] is not None for d in answers["/activities/{id}"])


def test_timezone_label_has_the_standard_offset(answers: dict[str, list[Any]]) -> None:
    """In July Berlin runs at +02:00 (utc_offset) but Strava labels it (GMT+01:00)."""
    seen_dst = False
    for listing in answers["/athlete/activities"]:
        for act in listing:
            zone = act["timezone"].split(") ", 1)[1]
            label = act["timezone"][4:10]
            standard = STANDARD[zone]
            assert label == standard, act["timezone"]
            seen_dst |= _offset(label) != act["utc_offset"]
    assert seen_dst  # some activity ran under daylight saving: the check could fail


STANDARD = {
    "Europe/Paris": "+01:00",
    "Europe/London": "+00:00",
    "Europe/Madrid": "+01:00",
    "America/Denver": "-07:00",
    "America/Los_Angeles": "-08:00",
    "America/New_York": "-05:00",
    "Europe/Berlin": "+01:00",
    "Europe/Amsterdam": "+01:00",
    "Australia/Sydney": "+10:00",
    "Asia/Tokyo": "+09:00",
    "America/Sao_Paulo": "-03:00",
    "Africa/Johannesburg": "+02:00",
    "Asia/Kolkata": "+05:30",
    "Pacific/Auckland": "+12:00",
    "Atlantic/Reykjavik": "+00:00",
}


def _offset(label: str) -> float:
    sign = -1 if label[0] == "-" else 1
    return sign * (int(label[1:3]) * 3600 + int(label[4:6]) * 60)


def test_polylines_start_at_start_latlng(answers: dict[str, list[Any]]) -> None:
    """Loops included (they started 250-440 m away); 1e-5 degrees of polyline precision."""
    loops = 0
    for listing in answers["/athlete/activities"]:
        for act in listing:
            if not act["start_latlng"]:
                assert act["map"]["summary_polyline"] == ""
                continue
            points = decode_polyline(act["map"]["summary_polyline"])
            for (lat, lng), (want_lat, want_lng) in (
                (points[0], act["start_latlng"]),
                (points[-1], act["end_latlng"]),
            ):
                assert abs(lat - want_lat) < 2e-5 and abs(lng - want_lng) < 2e-5, act["id"]
            loops += abs(act["start_latlng"][0] - act["end_latlng"][0]) < 1e-3
    assert loops > 10


def test_streams_without_keys_are_distance_only(
    sim: Simulator, http: httpx.Client, answers: dict[str, list[Any]]
) -> None:
    tok = token(sim, http, sim.athlete_ids()[0], ALL_SCOPES)
    h = {"Authorization": f"Bearer {tok['access_token']}"}
    act = next(a for a in answers["/athlete/activities"][0] if a["distance"] > 0)
    resp = http.get(f"/api/v3/activities/{act['id']}/streams", headers=h)
    assert [s["type"] for s in resp.json()] == ["distance"]
    keyed = http.get(
        f"/api/v3/activities/{act['id']}/streams", headers=h, params={"key_by_type": "true"}
    ).json()
    assert list(keyed) == ["distance"]
    assert spec.problems(keyed, spec.response_schema("get", "/activities/{id}/streams")) == []


def _fault(resp: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = resp.json()
    assert spec.problems(body, spec.model_schema("Fault")) == [], body
    return body


def test_errors_are_faults(sim: Simulator, http: httpx.Client) -> None:
    tok = token(sim, http, sim.athlete_ids()[2], "read")
    h = {"Authorization": f"Bearer {tok['access_token']}"}
    scope = http.get("/api/v3/athlete/activities", headers=h)
    assert scope.status_code == 401
    assert _fault(scope)["errors"][0]["field"] == "activity:read_permission"
    bad = http.get("/api/v3/athlete", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and _fault(bad)["errors"][0]["field"] == "access_token"
    other = http.get(f"/api/v3/athletes/{sim.athlete_ids()[3]}/stats", headers=h)
    assert other.status_code == 403 and _fault(other)
    own = f"/api/v3/athletes/{sim.athlete_ids()[2]}/stats"
    for status in (403, 404):  # the simulator's refusals of the stats (faults.stats_status)
        sim.faults.stats_status = status
        try:
            refused = http.get(own, headers=h)
        finally:
            sim.faults.stats_status = 0
        assert refused.status_code == status and _fault(refused)
    full = token(sim, http, sim.athlete_ids()[2], ALL_SCOPES)["access_token"]
    gone = http.get("/api/v3/activities/1", headers={"Authorization": f"Bearer {full}"})
    assert gone.status_code == 404 and _fault(gone)


def _token_post(http: httpx.Client, **form: str) -> httpx.Response:
    return http.post("/oauth/token", data={"grant_type": "authorization_code", **form})


def test_oauth_errors_are_strava_s(sim: Simulator, http: httpx.Client) -> None:
    """400 Application/client_id for an unknown client id; 401 for a wrong secret; 400
    RequestToken for a bad code."""
    code = sim.grant(sim.athlete_ids()[4])
    unknown = _token_post(http, client_id="999", client_secret=sim.client_secret, code=code)
    assert unknown.status_code == 400
    assert _fault(unknown)["errors"] == [
        {"resource": "Application", "field": "client_id", "code": "invalid"}
    ]
    secret = _token_post(http, client_id=sim.client_id, client_secret="wrong", code=code)
    assert secret.status_code == 401
    assert _fault(secret)["errors"][0]["resource"] == "Application"
    used = _token_post(http, client_id=sim.client_id, client_secret=sim.client_secret, code="x")
    assert used.status_code == 400
    assert _fault(used)["errors"] == [
        {"resource": "RequestToken", "field": "code", "code": "invalid"}
    ]


def test_push_subscriptions_have_the_documented_shape(sim: Simulator, http: httpx.Client) -> None:
    """The webhook page's shapes: create answers {id}; the list holds id, application_id,
    callback_url, created_at, updated_at; wrong credentials answer a Fault."""
    creds = {"client_id": sim.client_id, "client_secret": sim.client_secret}
    listed = http.get("/api/v3/push_subscriptions", params=creds)
    assert listed.status_code == 200 and listed.json() == []
    sim.set_webhook_transport(httpx.Client(transport=httpx.MockTransport(_echo_challenge)))
    made = http.post(
        "/api/v3/push_subscriptions",
        data={**creds, "callback_url": "http://app.test/webhooks", "verify_token": "v"},
    )
    assert made.status_code == 201, made.text
    assert set(made.json()) == {"id"} and isinstance(made.json()["id"], int)
    (sub,) = http.get("/api/v3/push_subscriptions", params=creds).json()
    assert {"id", "application_id", "callback_url", "created_at", "updated_at"} <= set(sub)
    for key in ("created_at", "updated_at"):
        assert spec.FORMATS.conforms(sub[key], "date-time")
    wrong = http.get("/api/v3/push_subscriptions", params={**creds, "client_secret": "no"})
    assert wrong.status_code == 401 and _fault(wrong)
    deleted = http.delete(f"/api/v3/push_subscriptions/{sub['id']}", params=creds)
    assert deleted.status_code == 204


def _echo_challenge(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"hub.challenge": request.url.params["hub.challenge"]})


@pytest.mark.parametrize("after_order", ["oldest_first", "newest_first"])
def test_listing_order(after_order: str) -> None:
    """Newest first by default and with after+before (recorded 2025); after alone: the setting."""
    config = SimConfig(seed=11, athletes=1, history_days=60, after_order=after_order)
    sim = Simulator(config, clock=VirtualClock(START))
    with sim.http_client() as http:
        tok = token(sim, http, sim.athlete_ids()[0], ALL_SCOPES)
        h = {"Authorization": f"Bearer {tok['access_token']}"}
        after, before = int(START.timestamp()) - 50 * 86400, int(START.timestamp()) - 5 * 86400

        def starts(**params: int) -> list[str]:
            resp = http.get(
                "/api/v3/athlete/activities", headers=h, params={**params, "per_page": 200}
            )
            return [a["start_date"] for a in resp.json()]

        newest_first = starts()
        window = starts(after=after, before=before)
        alone = starts(after=after)
    assert len(window) > 2 and len(alone) > len(window)
    assert newest_first == sorted(newest_first, reverse=True)
    assert window == sorted(window, reverse=True)
    assert alone == sorted(alone, reverse=after_order == "newest_first")
