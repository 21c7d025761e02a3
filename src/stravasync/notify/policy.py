"""What to do after a delivery attempt: a pure decision from the outcome and the attempt count."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    retry_at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter. Times in seconds."""

    max_attempts: int = 8
    base: float = 30.0
    cap: float = 6 * 3600.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Delay before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.cap, self.base * 2.0 ** max(attempt - 1, 0))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 413, 415, 422})
"""Answers that a retry cannot change: the receiver refuses this delivery for good."""


def decide(
    *,
    status: int | None,
    error: str | None,
    attempt: int,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> Decision:
    """``status`` is the HTTP status (None when no answer came: ``error`` says why);
    ``attempt`` is the number of this attempt, counting from 1."""
    if status is not None and 200 <= status < 300:
        return Decision(Verdict.DELIVERED)
    reason = f"HTTP {status}" if status is not None else (error or "no answer")
    if status in PERMANENT_STATUSES:
        return Decision(Verdict.DEAD, reason=f"{reason}: refused by the receiver")
    if attempt >= policy.max_attempts:
        return Decision(Verdict.DEAD, reason=f"{reason} after {attempt} attempts")
    retry_at = now + timedelta(seconds=policy.delay(attempt, rng))
    return Decision(Verdict.RETRY, retry_at=retry_at, reason=reason)
