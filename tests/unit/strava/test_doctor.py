"""The doctor's decisions from what it saw (pure), and its cap of five requests."""

from __future__ import annotations

import httpx
import pytest

from stravasync.strava import doctor as dr
from stravasync.strava.errors import InvalidClient, ScopeMissing, TokenRevoked
from stravasync.strava.models import DetailedAthlete, PushSubscription
from stravasync.strava.quota.ratelimit import TIERS

HEADERS = {
    "X-RateLimit-Limit": "600,6000",
    "X-RateLimit-Usage": "12,340",
    "X-ReadRateLimit-Limit": "300,3000",
    "X-ReadRateLimit-Usage": "10,300",
}


def test_the_tier_strava_applies_is_named_and_a_higher_budget_is_wrong() -> None:
    fine = dr.rate_findings(HEADERS, TIERS["extended"])
    assert [f.ok for f in fine] == [True] and "extended" in fine[0].message
    above = dr.rate_findings({**HEADERS, "X-RateLimit-Limit": "200,2000"}, TIERS["extended"])
    assert not all(f.ok for f in above)
    below = dr.rate_findings(HEADERS, TIERS["default"])
    assert all(f.ok for f in below) and "STRAVASYNC_RATE_TIER=extended" in below[-1].message
    assert not dr.rate_findings({}, TIERS["default"])[0].ok


def test_webhook_missing_or_pointing_elsewhere_is_wrong() -> None:
    here = "https://me.example/webhooks/strava"
    assert not dr.webhook_findings([], here)[0].ok
    other = PushSubscription.parse({"id": 3, "callback_url": "https://old.example/hook"})
    assert not dr.webhook_findings([other], here)[0].ok
    mine = PushSubscription.parse({"id": 3, "callback_url": here})
    assert dr.webhook_findings([mine], here)[0].ok


def test_credentials_rejected_stop_the_other_checks() -> None:
    report = dr.Report()

    def rejected() -> list[PushSubscription]:
        raise InvalidClient()

    assert dr.check_credentials(report, rejected, "x") is False
    assert [(f.check, f.ok) for f in report.findings] == [("credentials", False)]


def _athlete(state: int) -> DetailedAthlete:
    return DetailedAthlete.parse({"id": 7, "resource_state": state})


def test_a_token_without_activity_read_is_named() -> None:
    report = dr.Report()

    def no_read(token: str) -> None:
        raise ScopeMissing("activity:read")

    dr.check_token(report, lambda: "t", lambda t: _athlete(3), no_read, "read")
    assert not report.ok and "view their activities" in report.findings[-1].message


def test_a_revoked_token_says_to_connect_again() -> None:
    report = dr.Report()

    def revoked() -> str:
        raise TokenRevoked(7)

    dr.check_token(report, revoked, lambda t: _athlete(3), lambda t: None, "read")
    assert not report.ok and "stravasync auth" in report.findings[0].message


def test_scopes_without_read_all_are_wrong_and_profile_is_a_note() -> None:
    report = dr.Report()
    dr.check_token(report, lambda: "t", lambda t: _athlete(2), lambda t: None, "read,activity:read")
    assert [f.ok for f in report.findings] == [True, False, True]


def test_the_meter_refuses_a_sixth_request() -> None:
    meter = dr.Meter()
    http = meter.client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, headers=HEADERS))
    )
    for _ in range(5):
        http.get("http://strava.test/api/v3/athlete")
    with pytest.raises(dr.RequestCapReached):
        http.get("http://strava.test/api/v3/athlete")
    assert meter.sent == 5 and meter.headers["x-ratelimit-limit"] == "600,6000"
