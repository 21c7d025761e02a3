"""Error translation at the boundary, tolerant models, redirect parsing and scope checks."""

from __future__ import annotations

import json

import pytest

from stravasync.strava import errors as e
from stravasync.strava.models import DetailedActivity, SummaryActivity, WebhookEvent, parse_list
from stravasync.strava.oauth import authorize_url, check_scopes, parse_redirect
from stravasync.strava.translate import error_for


def body(message: str, resource: str, field: str, code: str) -> bytes:
    return json.dumps(
        {"message": message, "errors": [{"resource": resource, "field": field, "code": code}]}
    ).encode()


@pytest.mark.parametrize(
    ("status", "payload", "expected"),
    [
        (401, body("Authorization Error", "Athlete", "access_token", "invalid"), e.Unauthorized),
        (401, body("Authorization Error", "Application", "", "invalid"), e.InvalidClient),
        (400, body("Bad Request", "AuthorizationCode", "code", "invalid"), e.InvalidGrant),
        (400, body("Bad Request", "RefreshToken", "refresh_token", "invalid"), e.InvalidGrant),
        (403, b'{"message":"Limit of connected athletes exceeded"}', e.AthleteCapacityExceeded),
        (403, b'{"message":"Forbidden"}', e.ApplicationInactive),
        (403, body("Forbidden", "Application", "", "inactive"), e.ApplicationInactive),
        (403, b"", e.ApplicationInactive),
        # another athlete's stats: a resource this token may not see, not the application
        (403, body("Forbidden", "Athlete", "id", "forbidden"), e.RequestRejected),
        (400, body("Bad Request", "Application", "client_secret", "invalid"), e.InvalidClient),
        (400, body("Bad Request", "Application", "client_id", "invalid"), e.InvalidClient),
        (400, body("Bad Request", "Application", "grant_type", "invalid"), e.RequestRejected),
        (404, b'{"message":"Record Not Found"}', e.NotFound),
        (500, b"<html>oops</html>", e.Transient),
        (503, b"", e.Transient),
        (422, b'{"message":"Unprocessable"}', e.RequestRejected),
    ],
)
def test_status_and_body_map_to_named_errors(
    status: int, payload: bytes, expected: type[Exception]
) -> None:
    err = error_for(status, payload, resource="activity", resource_id=7)
    assert type(err) is expected


def test_missing_scope_names_the_scope_in_plain_words() -> None:
    err = error_for(
        401,
        body("Authorization Error", "AccessToken", "activity:read_permission", "missing"),
        resource="activities",
    )
    assert isinstance(err, e.ScopeMissing)
    assert err.scope == "activity:read"
    assert "view their activities" in str(err)


def test_refresh_token_invalid_says_which_grant() -> None:
    err = error_for(
        400, body("Bad Request", "RefreshToken", "refresh_token", "invalid"), resource="token"
    )
    assert isinstance(err, e.InvalidGrant) and err.kind == "refresh_token"


def test_models_keep_raw_json_and_accept_unknown_fields_and_sports() -> None:
    raw = {
        "id": 1,
        "athlete": {"id": 2, "resource_state": 1},
        "sport_type": "Padel2030",
        "start_date": "2026-01-01T10:00:00Z",
        "brand_new_field": [1, 2],
    }
    activity = SummaryActivity.parse(raw)
    assert activity.raw == raw
    assert activity.sport_type == "Padel2030" and not activity.known_sport
    detail = DetailedActivity.parse({**raw, "description": "x", "laps": [{"id": 3}]})
    assert detail.description == "x"


def test_broken_shapes_raise_unexpected_response_not_a_crash() -> None:
    """A shape we cannot use is named, and not transient: the same answer would come again."""
    with pytest.raises(e.UnexpectedResponse):
        SummaryActivity.parse({"id": "not-a-number", "athlete": {"id": 1}})
    with pytest.raises(e.UnexpectedResponse):
        parse_list(SummaryActivity, {"message": "oops"})
    with pytest.raises(e.UnexpectedResponse):
        WebhookEvent.parse({"object_type": "activity"})
    assert not isinstance(e.UnexpectedResponse("X", "y"), e.Transient)
    assert isinstance(e.MalformedResponse(200, "x"), e.Transient)  # broken JSON is


def test_redirect_parsing_accepts_url_query_or_bare_code() -> None:
    r = parse_redirect(
        "http://127.0.0.1:8721/oauth/callback?state=abc&code=XYZ&scope=read,activity:read_all"
    )
    assert (r.code, r.state, r.scope, r.error) == ("XYZ", "abc", "read,activity:read_all", None)
    assert parse_redirect("  XYZ  ").code == "XYZ"
    assert parse_redirect("state=s&error=access_denied").error == "access_denied"


def test_scope_check() -> None:
    check_scopes("read,activity:read_all")
    check_scopes("read,activity:read", require_private=False)
    with pytest.raises(e.ScopeMissing) as info:
        check_scopes("read,activity:read")
    assert info.value.scope == "activity:read_all" and "private" in str(info.value)
    with pytest.raises(e.ScopeMissing) as info:
        check_scopes("read")
    assert info.value.scope == "activity:read"


def test_authorize_url_carries_state_and_scopes() -> None:
    url = authorize_url(
        "https://www.strava.com", client_id="42", redirect_uri="http://x/cb", state="s1"
    )
    assert url.startswith("https://www.strava.com/oauth/authorize?")
    assert "state=s1" in url and "activity%3Aread_all" in url and "response_type=code" in url
