"""The tier Strava applies, as its rate-limit headers state it (``doctor``, dashboard, admin API).

The budget caps its counters' limits by the configured ones (an operator may keep part of the
quota for something else), so Strava's own limits would be lost when they are larger; the shared
budget records them in ``app_settings`` under :data:`STATED_LIMITS_KEY`, only when they differ
from what is recorded (:func:`changed`), so a request costs no extra write. Everything here is
pure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from stravasync.strava.quota.counters import Usage
from stravasync.strava.quota.ratelimit import TIERS, LimitClass, Limits
from stravasync.strava.quota.windows import Window

STATED_LIMITS_KEY = "strava_rate_limits"
"""``app_settings`` key: the four limits Strava's last answer stated (JSON object)."""


def tier_of(limits: Limits) -> str:
    """The name of Strava's tier with these limits, or the four numbers."""
    for name, tier in TIERS.items():
        if tier == limits:
            return name
    return f"{limits.overall_15min}/{limits.overall_daily} overall, {limits.read_15min}/" + str(
        limits.read_daily
    )


def stated_limits(usage: Usage) -> Limits | None:
    """The four limits the headers state, or None when any of them is missing."""
    try:
        return Limits(
            usage[(LimitClass.OVERALL, Window.QUARTER)][1],
            usage[(LimitClass.OVERALL, Window.DAY)][1],
            usage[(LimitClass.READ, Window.QUARTER)][1],
            usage[(LimitClass.READ, Window.DAY)][1],
        )
    except KeyError:
        return None


def as_json(limits: Limits) -> dict[str, int]:
    return asdict(limits)


def from_json(value: Any) -> Limits | None:
    """The recorded limits, or None when nothing (or something unreadable) is recorded."""
    if not isinstance(value, dict):
        return None
    try:
        return Limits(**{k: int(value[k]) for k in Limits.__dataclass_fields__})
    except (KeyError, TypeError, ValueError):
        return None


def changed(stated: Limits | None, recorded: Any) -> bool:
    """Whether the stated limits must be written: known, and not what is recorded already."""
    return stated is not None and from_json(recorded) != stated


def numbers(limits: Limits) -> str:
    return (
        f"overall {limits.overall_15min}/15 min, {limits.overall_daily}/day; "
        f"read {limits.read_15min}/15 min, {limits.read_daily}/day"
    )


def setting_hint(stated: Limits) -> str:
    """What to set so the configured budget is Strava's."""
    name = tier_of(stated)
    if name in TIERS:
        return f"STRAVASYNC_RATE_TIER={name}"
    return (
        f"STRAVASYNC_RATE_TIER=explicit with STRAVASYNC_RATE_OVERALL_15MIN={stated.overall_15min}, "
        f"_OVERALL_DAILY={stated.overall_daily}, _READ_15MIN={stated.read_15min}, "
        f"_READ_DAILY={stated.read_daily}"
    )


@dataclass(frozen=True, slots=True)
class TierNote:
    """What the dashboard and the admin API say about the tier Strava applies."""

    tier: str
    limits: dict[str, int]
    message: str
    hint: str | None  # "set STRAVASYNC_RATE_TIER=..." when the configured budget differs


def tier_note(recorded: Any, configured: Limits) -> TierNote | None:
    """The recorded limits against the configured ones; None before Strava stated any."""
    stated = from_json(recorded)
    if stated is None:
        return None
    hint = None if stated == configured else "set " + setting_hint(stated)
    return TierNote(
        tier=tier_of(stated),
        limits=as_json(stated),
        message=f"Strava applies the {tier_of(stated)} tier ({numbers(stated)})",
        hint=hint,
    )
