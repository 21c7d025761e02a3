"""Push subscriptions: one per application, validated by a hub.challenge GET, and event delivery.

Delivery is synchronous: the caller (``Simulator.pump``) hands over due events; each gets up to
``attempts`` POSTs, each of which must answer 200 within ``timeout`` seconds; a ``loss``
probability drops an event without any attempt (as Strava sometimes does).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx

from stravasync.simulator.content.rng import stable_unit
from stravasync.simulator.responses import ApiError, fault

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    id: int
    application_id: int
    callback_url: str
    created_at: str
    updated_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "resource_state": 2,
            "application_id": self.application_id,
            "callback_url": self.callback_url,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass
class WebhookStats:
    events: int = 0
    attempted: int = 0
    succeeded: int = 0
    failed: int = 0
    dropped: int = 0


def _already_exists() -> ApiError:
    return ApiError(400, fault("Bad Request", "PushSubscription", "", "already exists"))


def _callback_failed(url: str) -> ApiError:
    body = fault("Bad Request", "PushSubscription", "callback url", "not verifiable")
    body["errors"][0]["field"] = "callback url"
    body["detail"] = f"GET to callback URL {url} did not return 200 with the hub.challenge"
    return ApiError(400, body)


class WebhookHub:
    """The subscription and the delivery counters. Thread-safe."""

    def __init__(
        self,
        seed: int,
        application_id: int,
        *,
        attempts: int,
        timeout: float,
        validation_timeout: float,
        loss: float,
    ) -> None:
        self.seed = seed
        self.application_id = application_id
        self.attempts = attempts
        self.timeout = timeout
        self.validation_timeout = validation_timeout
        self.loss = loss
        self.subscription: Subscription | None = None
        self.stats = WebhookStats()
        self.transport: httpx.Client | None = None
        self.delivered: deque[dict[str, Any]] = deque(maxlen=10_000)  # bodies answered 200
        self._next_id = 100_000 + seed % 1000
        self._lock = threading.RLock()

    def _client(self) -> tuple[httpx.Client, bool]:
        if self.transport is not None:
            return self.transport, False
        return httpx.Client(), True

    def create(self, callback_url: str, verify_token: str, when: str) -> Subscription:
        """Validate the callback (GET with hub.challenge) then create the subscription."""
        with self._lock:
            if self.subscription is not None:
                raise _already_exists()
        if not callback_url or len(callback_url) > 255:
            raise ApiError(400, fault("Bad Request", "PushSubscription", "callback url", "invalid"))
        challenge = f"{stable_unit(self.seed, 'challenge', callback_url, when):.12f}"[2:]
        params = {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": verify_token,
        }
        client, owned = self._client()
        try:
            resp = client.get(callback_url, params=params, timeout=self.validation_timeout)
            ok = resp.status_code == 200 and resp.json().get("hub.challenge") == challenge
        except (httpx.HTTPError, ValueError, AttributeError):
            ok = False
        finally:
            if owned:
                client.close()
        if not ok:
            raise _callback_failed(callback_url)
        with self._lock:
            if self.subscription is not None:
                raise _already_exists()
            self._next_id += 1
            self.subscription = Subscription(
                self._next_id, self.application_id, callback_url, when, when
            )
            return self.subscription

    def delete(self, subscription_id: int) -> None:
        with self._lock:
            if self.subscription is None or self.subscription.id != subscription_id:
                raise ApiError(404, fault("Record Not Found", "PushSubscription", "id", "invalid"))
            self.subscription = None

    def deliver(self, events: list[dict[str, Any]]) -> None:
        """POST each event (body without subscription_id: added here) with retries and loss."""
        with self._lock:
            sub = self.subscription
        if sub is None or not events:
            return
        client, owned = self._client()
        try:
            for event in events:
                body = dict(event, subscription_id=sub.id)
                self._deliver_one(client, sub.callback_url, body)
        finally:
            if owned:
                client.close()

    def _deliver_one(self, client: httpx.Client, url: str, body: dict[str, Any]) -> None:
        self.stats.events += 1
        key = (body["object_type"], body["object_id"], body["aspect_type"], body["event_time"])
        if self.loss > 0 and stable_unit(self.seed, "loss", *key) < self.loss:
            self.stats.dropped += 1
            return
        for _attempt in range(self.attempts):
            self.stats.attempted += 1
            try:
                resp = client.post(url, json=body, timeout=self.timeout)
                if resp.status_code == 200:
                    self.stats.succeeded += 1
                    self.delivered.append(body)
                    return
            except httpx.HTTPError as exc:
                log.debug("webhook attempt failed: %s", type(exc).__name__)
        self.stats.failed += 1
