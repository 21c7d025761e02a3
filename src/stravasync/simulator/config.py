"""Simulator configuration: :class:`SimConfig` and the rate-limit tiers it selects from.

Every duration is in seconds unless its name says otherwise. A config plus a start time fully
determines the simulated world (same seed, same athletes, same activities, same changes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from stravasync.simulator.errors import SimConfigError
from stravasync.simulator.platform import PLATFORMS

UNLIMITED = 1_000_000_000
AFTER_ORDERS = ("oldest_first", "newest_first")


@dataclass(frozen=True, slots=True)
class QuotaLimits:
    """The four numbers of an application's rate limits (requests per window)."""

    overall_15min: int
    overall_daily: int
    read_15min: int
    read_daily: int


TIERS: dict[str, QuotaLimits] = {
    "default": QuotaLimits(200, 2000, 100, 1000),
    "standard": QuotaLimits(400, 4000, 200, 2000),
    "extended": QuotaLimits(600, 6000, 300, 3000),
    "unlimited": QuotaLimits(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED),
}


def parse_quota(quota: str | QuotaLimits) -> QuotaLimits:
    """A tier name, ``"o15,oday,r15,rday"`` explicit numbers, or a :class:`QuotaLimits`."""
    if isinstance(quota, QuotaLimits):
        return quota
    name = quota.strip().lower()
    if name in TIERS:
        return TIERS[name]
    parts = [p.strip() for p in name.replace(";", ",").replace("/", ",").split(",")]
    if len(parts) == 4 and all(p.isdigit() and int(p) > 0 for p in parts):
        o15, oday, r15, rday = (int(p) for p in parts)
        return QuotaLimits(o15, oday, r15, rday)
    raise SimConfigError(
        "quota",
        "a tier (default, standard, extended, unlimited) or four positive integers "
        "'overall_15min,overall_daily,read_15min,read_daily'",
    )


@dataclass(frozen=True, slots=True)
class SimConfig:
    """How the simulated Strava behaves. Keyword arguments only matter; defaults are realistic.

    ``start``: the world's origin (history ends there); ``None`` takes the clock's time at
    construction. ``history_days``: days of history per athlete (``heavy_history_days`` for the
    few heavy athletes, a ``heavy_fraction`` of all). ``late_connect_fraction`` of athletes get a
    ``connect_at`` within ``late_connect_days`` after start (the rest connect at start).
    ``deauth_per_year``: rate at which connected athletes revoke access by themselves.
    ``webhook_loss``: probability an event is never sent. ``webhook_timeout``: seconds a callback
    has to answer 200. ``churn``: multiplies the rates of edits and deletions.
    ``private_as_delete``: for apps without activity:read_all,
    privacy changes arrive as delete/create events and private activities send none.
    ``after_order``: the order of GET /athlete/activities with ``after`` alone (undocumented:
    client libraries observed ``oldest_first``; ``newest_first`` is the other answer). With
    ``before`` too, or without ``after``, it is newest first.
    ``platform``: ``2026`` (one origin, /api/v3) or ``2027`` (the API on its own origin, see
    :mod:`stravasync.simulator.platform`).
    ``count_token_requests``: whether POST /oauth/token counts against the rate limits
    (undocumented). ``private_as_delete`` is the third of Strava's uncertain points.
    """

    seed: int = 7
    athletes: int = 50
    history_days: int = 365
    quota: str | QuotaLimits = "default"
    count_token_requests: bool = True
    webhook_loss: float = 0.0
    athlete_capacity: int | None = None
    client_id: str = "4242"
    client_secret: str | None = None
    start: datetime | None = None
    heavy_fraction: float = 0.02
    heavy_history_days: int = 1460
    late_connect_fraction: float = 0.15
    late_connect_days: float = 7.0
    deauth_per_year: float = 0.0
    churn: float = 1.0
    rotate_refresh_tokens: bool = True
    private_as_delete: bool = True
    after_order: str = "oldest_first"
    platform: str = "2026"
    webhook_attempts: int = 3
    webhook_timeout: float = 2.0
    webhook_validation_timeout: float = 2.0
    code_ttl: int = 600
    token_ttl: int = 21600

    def __post_init__(self) -> None:
        if not 0 < self.athletes < 100_000:
            raise SimConfigError("athletes", "between 1 and 99,999")
        if self.history_days < 0:
            raise SimConfigError("history_days", "zero or more")
        if not 0.0 <= self.webhook_loss <= 1.0:
            raise SimConfigError("webhook_loss", "a probability between 0 and 1")
        if self.athlete_capacity is not None and self.athlete_capacity < 0:
            raise SimConfigError("athlete_capacity", "zero or more, or None for no limit")
        if self.after_order not in AFTER_ORDERS:
            raise SimConfigError("after_order", " or ".join(AFTER_ORDERS))
        if self.platform not in PLATFORMS:
            raise SimConfigError("platform", " or ".join(PLATFORMS))
        parse_quota(self.quota)

    @property
    def limits(self) -> QuotaLimits:
        return parse_quota(self.quota)

    @property
    def secret(self) -> str:
        """The client secret: configured, or derived from the seed (stable across runs)."""
        if self.client_secret:
            return self.client_secret
        digest = hashlib.blake2b(f"sim-secret:{self.seed}".encode(), digest_size=20)
        return digest.hexdigest()
