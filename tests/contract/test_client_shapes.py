"""The client against answers shaped like real Strava's (``samples.py``), not the simulator's."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.store.mirror.activities import apply_summaries, live_summaries
from stravasync.strava import errors as e
from stravasync.strava.client import StravaClient
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority
from stravasync.strava.translate import error_for
from stravasync.sync.port import StravaPort
from tests.contract import samples, spec

NOW = datetime(2025, 6, 3, 18, 7, 30, tzinfo=UTC)  # mid-quarter: clear of the guard


def client_for(
    handler: Callable[[httpx.Request], httpx.Response],
) -> tuple[StravaClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = StravaClient(
        base_url="http://strava.test",
        client_id="4242",
        client_secret="s3cr3t",
        budget=MemoryBudget(Limits(200, 2000, 100, 1000), Policy()),
        clock=VirtualClock(NOW),
        http=httpx.Client(transport=httpx.MockTransport(record)),
        rng=random.Random(1),
    )
    return client, seen


def test_kudoers_without_id_are_read() -> None:
    client, _ = client_for(lambda r: httpx.Response(200, json=samples.KUDOERS))
    kudoers = client.get_kudos("tok", 90000000001, priority=Priority.ENRICH)
    assert [(k.id, k.firstname, k.lastname) for k in kudoers] == [
        (None, "Ines", "K."),
        (None, "Tom", "W."),
    ]
    assert kudoers[0].raw == samples.KUDOERS[0]


def test_an_answer_of_the_wrong_shape_is_not_transient_and_not_retried() -> None:
    client, seen = client_for(lambda r: httpx.Response(200, json=[{"firstname": 7}]))
    with pytest.raises(e.UnexpectedResponse) as info:
        client.get_kudos("tok", 1, priority=Priority.ENRICH)
    assert not isinstance(info.value, e.Transient)
    assert info.value.model == "SummaryAthlete" and "firstname" in info.value.detail
    assert len(seen) == 1


def test_the_token_athlete_still_needs_its_id() -> None:
    answer = {"access_token": "a", "refresh_token": "r", "expires_at": 1, "athlete": {"x": 1}}
    client, _ = client_for(lambda r: httpx.Response(200, json=answer))
    with pytest.raises(e.UnexpectedResponse):
        client.exchange_code("code")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, samples.INVALID_CLIENT_ID, e.InvalidClient),
        (401, samples.WRONG_SECRET, e.InvalidClient),
        (400, samples.INVALID_CODE, e.InvalidGrant),
    ],
)
def test_oauth_faults_are_named(status: int, body: dict[str, object], expected: type) -> None:
    err = error_for(status, json.dumps(body).encode(), resource="token")
    assert type(err) is expected
    client, _ = client_for(lambda r: httpx.Response(status, json=body))
    with pytest.raises(expected):
        client.exchange_code("abc")


def test_a_bad_code_is_the_code_not_the_refresh_token() -> None:
    err = error_for(400, json.dumps(samples.INVALID_CODE).encode(), resource="token")
    assert isinstance(err, e.InvalidGrant) and err.kind == "code"


def test_detail_and_listing_alternating_is_no_edit(db: Database) -> None:
    """A detail keeps keys the listing lacks; neither order may count as an update."""
    listed, detailed = samples.listed(), samples.detailed()
    at = NOW
    with db.transaction() as conn:
        assert apply_summaries(conn, 31337, [listed], at).created == [listed["id"]]
    for raw in (detailed, listed, detailed, listed):
        at += timedelta(hours=1)
        with db.transaction() as conn:
            result = apply_summaries(conn, 31337, [raw], at)
        assert (result.updated, result.social_only, result.created) == ([], [], []), raw
    with db.engine.connect() as conn:
        stored = live_summaries(conn, 31337)[listed["id"]]
    assert "device_name" not in stored and stored == listed


def test_detail_first_then_listing_is_no_edit(db: Database) -> None:
    """A webhook's detail stored first (no listing yet): the next listing is no edit either."""
    listed, detailed = samples.listed(), samples.detailed()
    with db.transaction() as conn:
        apply_summaries(conn, 31337, [detailed], NOW)
    with db.transaction() as conn:
        result = apply_summaries(conn, 31337, [listed], NOW + timedelta(hours=1))
    assert result.updated == [] and result.social_only == []
    with db.engine.connect() as conn:
        assert live_summaries(conn, 31337)[listed["id"]] == listed  # the listing's shape kept


@pytest.mark.parametrize("edit", [{"name": "Lunch Run (hills)"}, {"gear_id": "g77"}])
def test_a_real_edit_between_detail_and_listing_still_counts(
    db: Database, edit: dict[str, object]
) -> None:
    with db.transaction() as conn:
        apply_summaries(conn, 31337, [samples.listed()], NOW)
    with db.transaction() as conn:
        first = apply_summaries(conn, 31337, [samples.detailed(**edit)], NOW + timedelta(hours=1))
    assert first.updated == [samples.listed()["id"]]
    with db.transaction() as conn:
        again = apply_summaries(conn, 31337, [samples.listed(**edit)], NOW + timedelta(hours=2))
    assert again.updated == []
    with db.transaction() as conn:
        kudos = apply_summaries(
            conn, 31337, [samples.listed(**edit, kudos_count=9)], NOW + timedelta(hours=3)
        )
    assert kudos.social_only == [samples.listed()["id"]] and kudos.updated == []


def test_the_stats_call_is_strava_s_get_stats_and_its_count_a_lower_bound() -> None:
    """Our one stats request, as Strava publishes it: GET /athletes/{id}/stats with the token's
    own athlete id; a Strava-shaped answer fits the model and gives rides + runs + swims."""
    answer = samples.STATS
    assert spec.problems(answer, spec.response_schema("get", "/athletes/{id}/stats")) == []
    client, seen = client_for(lambda r: httpx.Response(200, json=answer))
    count = StravaPort(client).activity_count("tok", 134815, priority=Priority.BACKFILL)
    assert count == 402 + 233 + 12
    (request,) = seen
    assert request.method == "GET" and request.url.path == "/api/v3/athletes/134815/stats"
    assert request.headers["Authorization"] == "Bearer tok" and not request.url.query
    op = spec.SWAGGER["paths"]["/athletes/{id}/stats"]["get"]
    assert op["operationId"] == "getStats"
    assert [p["name"] for p in op["parameters"]] == ["id"]  # no query parameter to send


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [(403, samples.STATS_FORBIDDEN, e.RequestRejected), (404, samples.NOT_FOUND, e.NotFound)],
)
def test_a_refused_stats_call_is_a_strava_error_of_its_own(
    status: int, body: dict[str, object], expected: type[e.StravaError]
) -> None:
    """The pass skips its total on these; a 403 about the athlete is not the app's inactivity."""
    assert spec.problems(body, spec.model_schema("Fault")) == []
    client, seen = client_for(lambda r: httpx.Response(status, json=body))
    with pytest.raises(expected) as info:
        StravaPort(client).activity_count("tok", 134815, priority=Priority.BACKFILL)
    assert not isinstance(info.value, e.ApplicationInactive | e.Transient)
    assert len(seen) == 1  # not retried


def _example(method: str, path: str) -> dict[str, object]:
    found = [ex for m, p, ex, _s in spec.published_examples() if (m, p) == (method, path)]
    assert found, path
    example: dict[str, object] = found[0]
    return example


def test_gear_of_strava_s_examples_is_read_whole() -> None:
    """GET /gear/{id} and GET /athlete's bikes and shoes, as Strava's swagger shows them."""
    gear_example = _example("get", "/gear/{id}")
    athlete_example = _example("get", "/athlete")
    client, seen = client_for(
        lambda r: httpx.Response(
            200, json=gear_example if r.url.path.startswith("/api/v3/gear/") else athlete_example
        )
    )
    gear = client.get_gear("tok", "b1231", priority=Priority.ENRICH)
    assert (gear.id, gear.brand_name, gear.model_name, gear.frame_type) == (
        "b1231",
        "BMC",
        "Teammachine",
        3,
    )
    assert (gear.description, gear.distance, gear.primary) == ("My Bike.", 388206, False)
    assert gear.raw == gear_example and seen[-1].url.path == "/api/v3/gear/b1231"
    athlete = client.get_athlete("tok", priority=Priority.ENRICH)
    assert athlete.lists_gear
    assert [(g.id, g.name, g.primary) for g in athlete.bikes or []] == [
        ("b12345678987655", "EMC", True)
    ]
    assert [(g.id, g.distance) for g in athlete.shoes or []] == [("g12345678987655", 4904)]


def test_a_summary_athlete_lists_no_gear_and_a_bad_gear_id_is_not_sent() -> None:
    """Without profile:read_all GET /athlete is the summary: no bikes, no shoes (None, not
    empty lists). A gear id that is not Strava's never reaches the wire."""
    client, seen = client_for(
        lambda r: httpx.Response(200, json={"id": 7, "resource_state": 2, "firstname": "A"})
    )
    assert not client.get_athlete("tok", priority=Priority.ENRICH).lists_gear
    sent = len(seen)
    for bad in ("../athlete", "b12/../x", "x123", "b" + "1" * 30, ""):
        with pytest.raises(ValueError):
            client.get_gear("tok", bad, priority=Priority.ENRICH)
    assert len(seen) == sent


def test_gear_we_may_not_see_is_not_found_in_the_port() -> None:
    body = {"message": "Record Not Found", "errors": [{"resource": "Gear", "field": "id"}]}
    client, _ = client_for(lambda r: httpx.Response(404, json=body))
    assert StravaPort(client).gear("tok", "b42", priority=Priority.ENRICH) is None
