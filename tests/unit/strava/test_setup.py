"""Settings → limits and policy; bad values rejected with the variable's name."""

from __future__ import annotations

import pytest

from stravasync.config import load_settings
from stravasync.errors import ConfigError
from stravasync.strava.ratelimit import Priority
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
