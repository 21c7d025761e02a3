"""Notification signatures and the retry decision, pure."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import UTC, datetime, timedelta

from stravasync.notify.policy import RetryPolicy, Verdict, decide
from stravasync.notify.signing import signature, signed_headers, verify

SECRET = b"s3cret"
BODY = b'{"event":"activity.created","id":"k1"}'


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET, b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, 1700000000, BODY) == expected


def test_receiver_verification_accepts_only_fresh_untampered_deliveries() -> None:
    h = signed_headers(SECRET, timestamp=1000, body=BODY, idempotency_key="k1", event="e")
    ts, sig = h["X-Stravasync-Timestamp"], h["X-Stravasync-Signature"]
    assert sig.startswith("v1=")
    assert h["X-Stravasync-Idempotency-Key"] == "k1"
    assert verify(SECRET, timestamp_header=ts, signature_header=sig, body=BODY, now=1000)
    assert verify(SECRET, timestamp_header=ts, signature_header=sig, body=BODY, now=1299)
    assert not verify(SECRET, timestamp_header=ts, signature_header=sig, body=BODY, now=1301)
    assert not verify(SECRET, timestamp_header=ts, signature_header=sig, body=BODY + b" ", now=1000)
    assert not verify(b"other", timestamp_header=ts, signature_header=sig, body=BODY, now=1000)
    assert not verify(SECRET, timestamp_header="1001", signature_header=sig, body=BODY, now=1000)
    assert not verify(SECRET, timestamp_header=ts, signature_header=None, body=BODY, now=1000)
    assert not verify(SECRET, timestamp_header="x", signature_header=sig, body=BODY, now=1000)


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_2xx_is_delivered_and_permanent_refusals_die_at_once() -> None:
    rng = random.Random(1)
    p = RetryPolicy()
    assert (
        decide(status=204, error=None, attempt=1, now=NOW, policy=p, rng=rng).verdict
        == Verdict.DELIVERED
    )
    gone = decide(status=410, error=None, attempt=1, now=NOW, policy=p, rng=rng)
    assert gone.verdict == Verdict.DEAD
    assert "410" in gone.reason


def test_transient_failures_back_off_then_dead_letter() -> None:
    rng = random.Random(1)
    p = RetryPolicy(max_attempts=4, base=10, cap=25)
    delays = []
    for attempt in (1, 2, 3):
        d = decide(status=503, error=None, attempt=attempt, now=NOW, policy=p, rng=rng)
        assert d.verdict == Verdict.RETRY
        assert d.retry_at is not None
        delays.append((d.retry_at - NOW).total_seconds())
    assert 5 <= delays[0] <= 10
    assert 10 <= delays[1] <= 20
    assert 12.5 <= delays[2] <= 25  # capped
    last = decide(status=None, error="ConnectError", attempt=4, now=NOW, policy=p, rng=rng)
    assert last.verdict == Verdict.DEAD
    assert "ConnectError" in last.reason
    limited = decide(status=429, error=None, attempt=1, now=NOW, policy=p, rng=rng)
    assert limited.verdict == Verdict.RETRY
    assert limited.retry_at is not None and limited.retry_at > NOW + timedelta(seconds=4)
