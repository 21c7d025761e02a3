from __future__ import annotations

import pytest

from stravasync.simulator.errors import CapacityExceeded
from stravasync.simulator.oauth import OAuthState, parse_scope
from stravasync.simulator.responses import ApiError

NOW = 1_767_600_000
HOUR = 3600


def state(**kwargs: object) -> OAuthState:
    args: dict[str, object] = {
        "token_ttl": 21600,
        "code_ttl": 600,
        "rotate": True,
        "capacity": None,
    }
    args.update(kwargs)
    return OAuthState(7, **args)  # type: ignore[arg-type]


def connect(oauth: OAuthState, athlete: int = 1, now: int = NOW) -> tuple[str, str]:
    issued, _ = oauth.exchange(oauth.issue_code(athlete, parse_scope("activity:read"), now), now)
    return issued.access.token, issued.refresh_token


def test_code_is_single_use_and_short_lived() -> None:
    oauth = state()
    code = oauth.issue_code(1, parse_scope("read"), NOW)
    issued, scope = oauth.exchange(code, NOW + 10)
    assert issued.access.expires_at == NOW + 10 + 21600
    assert scope == frozenset({"read"})
    with pytest.raises(ApiError) as reused:
        oauth.exchange(code, NOW + 20)
    assert reused.value.status == 400
    assert reused.value.body["errors"][0] == {
        "resource": "RequestToken",
        "field": "code",
        "code": "invalid",
    }
    late = oauth.issue_code(2, parse_scope("read"), NOW)
    with pytest.raises(ApiError):
        oauth.exchange(late, NOW + 601)


def test_access_token_expires_after_six_hours() -> None:
    oauth = state()
    access, _ = connect(oauth)
    assert oauth.check(access, NOW + 6 * HOUR - 1).athlete_id == 1
    with pytest.raises(ApiError) as expired:
        oauth.check(access, NOW + 6 * HOUR)
    assert expired.value.status == 401
    assert expired.value.body["errors"][0]["field"] == "access_token"


def test_refresh_with_more_than_an_hour_left_returns_the_same_token() -> None:
    oauth = state()
    access, refresh = connect(oauth)
    again = oauth.refresh_grant(refresh, NOW + 4 * HOUR)
    assert again.access.token == access
    assert again.refresh_token == refresh


def test_refresh_near_expiry_rotates_and_old_refresh_dies_at_once() -> None:
    oauth = state()
    access, refresh = connect(oauth)
    fresh = oauth.refresh_grant(refresh, NOW + 5 * HOUR + 1)
    assert fresh.access.token != access
    assert fresh.access.expires_at == NOW + 5 * HOUR + 1 + 21600
    assert fresh.refresh_token != refresh
    # old and new access tokens are both valid until the old one expires
    assert oauth.check(access, NOW + 5 * HOUR + 2).athlete_id == 1
    assert oauth.check(fresh.access.token, NOW + 5 * HOUR + 2).athlete_id == 1
    with pytest.raises(ApiError) as old:
        oauth.refresh_grant(refresh, NOW + 5 * HOUR + 3)
    assert old.value.status == 400
    assert old.value.body["errors"][0]["resource"] == "RefreshToken"


def test_refresh_without_rotation_keeps_the_refresh_token() -> None:
    oauth = state(rotate=False)
    _, refresh = connect(oauth)
    fresh = oauth.refresh_grant(refresh, NOW + 5 * HOUR + 1)
    assert fresh.refresh_token == refresh


def test_deauthorize_kills_every_token_of_the_athlete_only() -> None:
    oauth = state()
    a1, r1 = connect(oauth, 1)
    a2, _ = connect(oauth, 2)
    assert oauth.deauthorize(1)
    with pytest.raises(ApiError):
        oauth.check(a1, NOW + 1)
    with pytest.raises(ApiError):
        oauth.refresh_grant(r1, NOW + 1)
    assert oauth.check(a2, NOW + 1).athlete_id == 2
    assert set(oauth.connected()) == {2}


def test_revoking_a_refresh_token_ends_the_authorization() -> None:
    oauth = state()
    access, refresh = connect(oauth)
    assert oauth.revoke("unknown") is None
    assert oauth.revoke(refresh) == 1
    with pytest.raises(ApiError):
        oauth.check(access, NOW + 1)


def test_athlete_capacity_limits_new_connections_not_reconnections() -> None:
    oauth = state(capacity=1)
    connect(oauth, 1)
    with pytest.raises(CapacityExceeded):
        oauth.issue_code(2, parse_scope("read"), NOW)
    connect(oauth, 1)  # the connected athlete may authorize again
    oauth.deauthorize(1)
    connect(oauth, 2)


def test_scope_parsing_keeps_known_scopes_and_always_read() -> None:
    assert parse_scope("activity:read_all,bogus") == frozenset({"read", "activity:read_all"})
    assert parse_scope("") == frozenset({"read"})
