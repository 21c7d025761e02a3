"""Settings → limits and policy; bad values rejected with the variable's name."""

from __future__ import annotations

import pytest

from stravasync.config import load_settings
from stravasync.errors import ConfigError
from stravasync.strava.quota.ratelimit import Priority
from stravasync.strava.setup import limits_from_settings, policy_from


def test_tier_explicit_values_and_policy_overrides() -> None:
    cfg = load_settings(
        rate_tier="standard",
        rate_read_15min=50,
        budget_cushions={"Backfill": 0.3},
        budget_paced_from="refresh",
    )
    limits = limits_from_settings(cfg)
    assert (limits.read_15min, limits.overall_15min) == (50, 400)
    policy = policy_from(cfg)
    assert policy.cushions[Priority.BACKFILL] == 0.3
    assert policy.cushions[Priority.ENRICH] == 0.2  # default kept
    assert not policy.paced(Priority.INCREMENTAL) and policy.paced(Priority.REFRESH)


def test_explicit_tier_needs_every_limit() -> None:
    cfg = load_settings(rate_tier="explicit", rate_read_15min=20)
    with pytest.raises(ConfigError, match="STRAVASYNC_RATE_OVERALL_15MIN"):
        limits_from_settings(cfg)


def test_unknown_class_in_cushions_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="STRAVASYNC_BUDGET_CUSHIONS"):
        load_settings(budget_cushions={"urgent": 0.1})


def test_one_scope_policy_for_cli_and_web() -> None:
    from stravasync.strava.oauth import DEFAULT_SCOPES
    from stravasync.strava.setup import scope_policy

    policy = scope_policy(
        load_settings(oauth_scopes=" read , activity:read ,", require_private_scope=False)
    )
    assert policy.scopes == ("read", "activity:read") and policy.require_private is False
    assert scope_policy(load_settings(oauth_scopes="")).scopes == DEFAULT_SCOPES
    assert scope_policy(load_settings()).require_private is True


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert load_settings(trusted_proxies=" 127.0.0.1, 10.0.0.0/8 ,").trusted_proxies == (
        "127.0.0.1,10.0.0.0/8"
    )
    with pytest.raises(ConfigError, match="STRAVASYNC_TRUSTED_PROXIES"):
        load_settings(trusted_proxies="proxy.example.org")
