"""Retry policy as a pure function: a failure in, a decision out."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter. Times in seconds."""

    max_attempts: int = 6
    base_seconds: float = 60.0
    cap_seconds: float = 6 * 3600.0


@dataclass(frozen=True, slots=True)
class Retry:
    at: datetime
    attempts: int


@dataclass(frozen=True, slots=True)
class DeadLetter:
    attempts: int


def on_failure(
    policy: RetryPolicy, attempts_before: int, now: datetime, rng: random.Random
) -> Retry | DeadLetter:
    """What to do after a failed attempt; ``attempts_before`` excludes this one."""
    attempts = attempts_before + 1
    if attempts >= policy.max_attempts:
        return DeadLetter(attempts)
    ceiling = min(policy.cap_seconds, policy.base_seconds * 2 ** (attempts - 1))
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)
    return Retry(now + timedelta(seconds=delay), attempts)
