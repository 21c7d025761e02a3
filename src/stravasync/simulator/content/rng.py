"""Deterministic randomness: every random choice derives from a hash of the seed and a path.

``stable_rng(seed, "block", athlete_index, week)`` always yields the same generator, so an
athlete's history is the same whether it is generated first or ten-thousandth.
"""

from __future__ import annotations

import hashlib
import random


def stable_int(*parts: object) -> int:
    """A 64-bit integer hash of ``parts`` that is stable across processes and runs."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def stable_rng(*parts: object) -> random.Random:
    """A ``random.Random`` seeded from ``parts``."""
    return random.Random(stable_int(*parts))


def stable_unit(*parts: object) -> float:
    """A float in [0, 1) from ``parts``."""
    return stable_int(*parts) / 2.0**64


def stable_hex(nbytes: int, *parts: object) -> str:
    """A hex string of ``nbytes`` bytes derived from ``parts``."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return hashlib.blake2b(text, digest_size=nbytes).hexdigest()
