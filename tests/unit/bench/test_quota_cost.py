"""bench.quota_cost: gear and streams reads split from a run's calls; the daily reserve check."""

from __future__ import annotations

from bench.harness import _endpoint
from bench.quota_cost import cost, reserve_check

from stravasync.strava.quota.ratelimit import Policy

DAY = 86400
T0 = 20 * DAY  # a UTC midnight


def test_gear_ids_are_one_endpoint() -> None:
    assert _endpoint("GET", "/api/v3/gear/b12345") == "GET /api/v3/gear/{id}"
    assert _endpoint("GET", "/api/v3/activities/9/streams") == "GET /api/v3/activities/{id}/streams"
    assert _endpoint("GET", "/api/v3/athlete") == "GET /api/v3/athlete"


def test_cost_counts_gear_and_streams_per_athlete_and_measured_day() -> None:
    calls = [
        (T0 - 10, "GET /api/v3/athlete", 200),  # warm-up: counted in reads, not measured
        (T0 + 5, "GET /api/v3/gear/{id}", 200),
        (T0 + DAY + 5, "GET /api/v3/gear/{id}", 404),
        *((T0 + i, "GET /api/v3/activities/{id}/streams", 200) for i in range(6)),
        *((T0 + i, "GET /api/v3/athlete/activities", 200) for i in range(12)),
    ]
    out = cost(calls, athletes=2, measure_from=T0, end=T0 + 2 * DAY)
    assert out["gear"]["reads"] == 3 and out["gear"]["reads_per_athlete"] == 1.5
    assert out["gear"]["measured_reads"] == 2
    assert out["gear"]["measured_per_athlete_per_day"] == 0.5
    assert out["streams"]["measured_per_athlete_per_day"] == 1.5
    assert (out["all_reads"], out["other_reads"]) == (21, 12)
    assert out["gear"]["by_day"] == {"1970-01-20": 1, "1970-01-21": 1, "1970-01-22": 1}


def test_the_reserve_holds_until_a_periodic_grant_finds_the_day_past_it() -> None:
    policy = Policy(daily_reserve=0.2, reserve_release=1800)
    # 8 reads of 10 spent by webhooks, then enrichment: past the reserve
    rows = [(T0 + i, "webhook") for i in range(8)] + [(T0 + 100, "enrich")]
    assert reserve_check(rows, 10, policy)[0]["periodic_grants_past_reserve"] == 1
    # the reserve's own classes may spend it; a bounded class in the release window too
    late = T0 + DAY - 600
    rows = [(T0 + i, "enrich") for i in range(7)] + [(T0 + 50, "webhook"), (late, "refresh")]
    day = reserve_check(rows, 10, policy)[0]
    assert day["periodic_grants_past_reserve"] == 0 and day["left_at_reset"] == 1
    assert day["least_left_at_a_periodic_grant"] == 2
    # enrichment never gets the released reserve
    rows = [(T0 + i, "webhook") for i in range(8)] + [(late, "enrich")]
    assert reserve_check(rows, 10, policy)[0]["periodic_grants_past_reserve"] == 1
