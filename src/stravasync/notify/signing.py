"""Signing notifications: HMAC-SHA256 over ``"<timestamp>." + body`` with the shared secret.

A receiver verifies a delivery like this (see docs/notifications.md):

1. read ``X-Stravasync-Timestamp`` (epoch seconds) and ``X-Stravasync-Signature`` (``v1=<hex>``);
2. refuse the request if the timestamp is more than 5 minutes from its own clock (replays);
3. compute ``hex(HMAC_SHA256(secret, timestamp + "." + raw_body))`` over the raw body bytes, exactly
   as received, and compare it with the ``v1`` value in constant time;
4. use ``X-Stravasync-Idempotency-Key`` to ignore a delivery it has already processed (delivery is
   at least once).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Stravasync-Signature"
TIMESTAMP_HEADER = "X-Stravasync-Timestamp"
IDEMPOTENCY_HEADER = "X-Stravasync-Idempotency-Key"
EVENT_HEADER = "X-Stravasync-Event"
VERSION = "v1"
DEFAULT_TOLERANCE_S = 300


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + body``."""
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: bytes, *, timestamp: int, body: bytes, idempotency_key: str, event: str
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(int(timestamp)),
        SIGNATURE_HEADER: f"{VERSION}={signature(secret, timestamp, body)}",
        IDEMPOTENCY_HEADER: idempotency_key,
        "Idempotency-Key": idempotency_key,
        EVENT_HEADER: event,
    }


def verify(
    secret: bytes,
    *,
    timestamp_header: str | None,
    signature_header: str | None,
    body: bytes,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_S,
) -> bool:
    """What a receiver does: True only for a fresh timestamp and a matching ``v1`` signature."""
    if not timestamp_header or not signature_header or not timestamp_header.isdigit():
        return False
    timestamp = int(timestamp_header)
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    for part in signature_header.split(","):
        version, _, value = part.strip().partition("=")
        if version == VERSION and hmac.compare_digest(value.encode(), expected.encode()):
            return True
    return False
