"""Fault injection settings (mutable at run time through ``sim.faults`` or POST /_sim/faults).

Rates are probabilities per request; ``latency`` and ``hang_seconds`` are wall seconds.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

FaultKind = Literal["none", "5xx", "hang", "malformed", "storm", "inactive"]


@dataclass
class Faults:
    """What goes wrong. Everything off by default."""

    rate_5xx: float = 0.0  # answer 500/502/503 instead of the real response
    latency: float = 0.0  # mean extra wall seconds per response
    latency_jitter: float = 0.0  # uniform +- seconds around ``latency``
    hang_rate: float = 0.0  # never answer (until ``hang_seconds``): clients see a timeout
    hang_seconds: float = 30.0
    malformed_rate: float = 0.0  # 200 with truncated JSON
    storm_429: bool = False  # every API call answers 429 (counted), whatever the usage
    token_revocation_rate: float = 0.0  # per authenticated call: the athlete's tokens die silently
    inactive_app: bool = False  # every API and token call answers 403 (app inactive)
    invalid_client: bool = False  # the client secret is revoked: token and push calls answer 401
    stats_status: int = 0  # GET /athletes/{id}/stats answers this (403 or 404) instead of totals
    rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("rng", None)
        return data

    def update(self, values: dict[str, Any]) -> None:
        """Set known fields from ``values`` (unknown keys raise KeyError)."""
        names = {f.name for f in fields(self)} - {"rng"}
        for key, value in values.items():
            if key not in names:
                raise KeyError(key)
            current = getattr(self, key)
            setattr(self, key, type(current)(value))

    def pick(self) -> FaultKind:
        """The fault (if any) for one API request, drawn from this object's rng."""
        if self.inactive_app:
            return "inactive"
        if self.storm_429:
            return "storm"
        roll = self.rng.random()
        if roll < self.rate_5xx:
            return "5xx"
        roll -= self.rate_5xx
        if roll < self.hang_rate:
            return "hang"
        roll -= self.hang_rate
        if roll < self.malformed_rate:
            return "malformed"
        return "none"

    def delay(self) -> float:
        if self.latency <= 0 and self.latency_jitter <= 0:
            return 0.0
        return max(0.0, self.latency + self.rng.uniform(-self.latency_jitter, self.latency_jitter))
