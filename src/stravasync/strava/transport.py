"""One Strava HTTP exchange with its budget: reserve, send, reconcile, translate, retry.

The only place that calls ``httpx``. Each attempt is reserved against the budget first (a
denied reservation raises :class:`BudgetExhausted` and nothing is sent); every response's rate
headers are reconciled; a 429 closes the limit class and raises :class:`RateLimited` (never
retried); 5xx, timeouts, broken connections and broken JSON are retried ``max_retries`` times
with full-jitter exponential backoff, then raised as :class:`Transient`.

API calls go to the API origin, OAuth calls to the OAuth origin (:mod:`stravasync.strava.platform`
decides both). When the API origin cannot be reached at all (a connection or DNS failure, never
an HTTP answer) and a fall-back origin is configured, the same request (same reservation: one
budget whichever origin answers) goes to the fall-back at once, which is then used for
:data:`~stravasync.strava.platform.FALLBACK_MEMORY` before the first choice is tried again. The
first switch is logged as a warning, later ones at debug level.

An interactive OAuth call (a person waiting in the browser: the code exchange of a connect or
a sign-in, the revoke of a disconnect) that falls in the budget's guard around a quarter hour's
reset waits the guard out (a second or two, never more than :data:`GUARD_WAIT_MAX`) and is
reserved again, rather than failing for the one moment in fifteen minutes a clock could
disagree with Strava's. Every other call is deferred as usual (a sync pass is rescheduled past
the reset; it holds no person).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import httpx

from stravasync.clock import Clock
from stravasync.strava.calls import API_CALLS
from stravasync.strava.errors import (
    ApplicationInactive,
    BudgetExhausted,
    InvalidClient,
    MalformedResponse,
    Transient,
)
from stravasync.strava.platform import (
    API_PREFIX,
    FALLBACK_MEMORY,
    OriginPlan,
    Origins,
    api_origin,
)
from stravasync.strava.quota.budget import Budget
from stravasync.strava.quota.counters import GUARD
from stravasync.strava.quota.ratelimit import Priority
from stravasync.strava.translate import error_for

if TYPE_CHECKING:
    from stravasync.strava.appstate import AppGate

log = logging.getLogger(__name__)

GUARD_WAIT_MAX = 5.0
"""Seconds an interactive call may wait for the budget's quarter-hour guard to pass."""


def guard_wait(denied: BudgetExhausted, call: Call, now: datetime) -> float | None:
    """Seconds to wait before reserving ``call`` again, or None: defer as denied.

    Only an interactive OAuth call denied by the quarter-hour guard alone waits, and only
    briefly."""
    if call.priority is not Priority.INTERACTIVE or call.origin != "oauth":
        return None
    if denied.limit_class != GUARD:
        return None
    wait = (denied.retry_at - now).total_seconds()
    return max(wait, 0.0) if wait <= GUARD_WAIT_MAX else None


@dataclass(frozen=True, slots=True)
class Call:
    """What to send: ``path`` is relative to the ``origin`` (``api``: ``/athlete/...`` with no
    ``/api/v3``; ``oauth``: ``/oauth/...``)."""

    method: str
    path: str
    priority: Priority
    resource: str
    resource_id: int | str | None = None
    params: Mapping[str, Any] | None = None
    form: Mapping[str, Any] | None = None
    bearer: str | None = None
    basic: tuple[str, str] | None = None
    retry_unanswered: bool = True  # False for calls that must not be repeated blindly
    budgeted: bool = True  # False: Strava does not count it (POST /oauth/token, when so set)
    origin: str = "api"  # api | oauth
    # given a 2xx answer's decoded body before anything else is done (the budget's reconcile,
    # a write that may wait on row locks, comes after): a rotating refresh commits its new pair
    on_receipt: Callable[[Any], None] | None = None


def backoff(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff in seconds for retry number ``attempt`` (1, 2, ...)."""
    return rng.uniform(0, min(cap, base * 2 ** (attempt - 1)))


class Transport:
    def __init__(
        self,
        *,
        origins: OriginPlan,
        budget: Budget,
        clock: Clock,
        http: httpx.Client | None = None,
        timeout: float = 20.0,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        rng: random.Random | None = None,
        gate: AppGate | None = None,
        probe: Call | None = None,
    ) -> None:
        """``gate``: the app-level state every request passes (None: no gate, app-level
        errors are raised as they are); ``probe``: the request that tests whether it ended."""
        self.plan = origins
        self._day: date | None = None
        self._origins: Origins | None = None
        self.fallback_until: datetime | None = None
        self.answered_at: str | None = None  # the API origin that last answered
        self._fallback_logged = False
        self.budget = budget
        self.clock = clock
        self.http = http or httpx.Client()
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rng = rng or random.Random()
        self.gate = gate
        self.probe = probe

    def json(self, call: Call) -> Any:
        """Perform ``call`` and return its decoded JSON body (``None`` for an empty body).

        With a gate: refused (:class:`AppSuspended`) while an app-level state holds; an answer
        that reveals one (403 application inactive, invalid client) records it for everyone.
        """
        if self.gate is not None:
            self.gate.admit(self.clock.now(), self._send_probe)
        attempt = 0
        while True:
            try:
                return self._once(call)
            except (ApplicationInactive, InvalidClient) as exc:
                if self.gate is None:
                    raise
                raise self.gate.trip(exc, self.clock.now()) from exc
            except Transient as exc:
                unanswered = exc.status == 0
                attempt += 1
                if attempt > self.max_retries or (unanswered and not call.retry_unanswered):
                    raise
                delay = backoff(attempt, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng)
                log.warning(
                    "transient Strava failure, retry %d/%d in %.1fs: %s",
                    attempt,
                    self.max_retries,
                    delay,
                    exc.reason,
                    extra={"resource": call.resource, "status": exc.status},
                )
                self.clock.sleep(delay)

    def origins_on(self, now: datetime) -> Origins:
        """The origins for ``now``'s date (decided again when the date changes)."""
        day = now.date()
        if self._origins is None or self._day != day:
            self._origins, self._day = self.plan(day), day
        return self._origins

    def _origin(self, call: Call, now: datetime) -> str:
        origins = self.origins_on(now)
        if call.origin == "oauth":
            return origins.oauth
        return api_origin(origins, self.fallback_until, now)

    def _fall_back(self, call: Call, origin: str, now: datetime) -> str | None:
        """The fall-back origin to resend to after ``origin`` could not be reached, if any."""
        fallback = self.origins_on(now).fallback
        if call.origin != "api" or fallback is None or origin == fallback:
            return None
        self.fallback_until = now + FALLBACK_MEMORY
        level = logging.DEBUG if self._fallback_logged else logging.WARNING
        self._fallback_logged = True
        log.log(
            level,
            "cannot reach the Strava API at %s: using %s until %s (see `stravasync doctor`)",
            origin,
            fallback,
            self.fallback_until.isoformat(),
            extra={"origin": origin, "fallback": fallback},
        )
        return fallback

    def _send(self, call: Call, origin: str) -> httpx.Response:
        """One HTTP exchange; tokens only in the Authorization header. Connection failures
        propagate (the caller may fall back); other transport failures become Transient."""
        headers = {"Accept": "application/json"}
        if call.bearer is not None:
            headers["Authorization"] = f"Bearer {call.bearer}"
        label = API_PREFIX + call.path if call.origin == "api" else call.path
        try:
            response = self.http.request(
                call.method,
                origin + call.path,
                params=dict(call.params) if call.params else None,
                data=dict(call.form) if call.form else None,
                headers=headers,
                auth=call.basic,
                timeout=self.timeout,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout):
            API_CALLS.record(call.method, label, 0)
            raise
        except httpx.TimeoutException:
            API_CALLS.record(call.method, label, 0)
            raise Transient(
                0, f"{call.method} {origin}{call.path}: timeout after {self.timeout}s"
            ) from None
        except httpx.TransportError as exc:
            API_CALLS.record(call.method, label, 0)
            raise Transient(0, f"cannot reach {origin}{call.path} ({type(exc).__name__})") from None
        API_CALLS.record(call.method, label, response.status_code)
        return response

    def _send_probe(self) -> Any:
        if self.probe is None:
            return None
        return self._once(self.probe)

    def _reserve(self, call: Call, now: datetime) -> datetime:
        """Reserve one request (waiting out the guard if :func:`guard_wait` says so); the time
        it was reserved at."""
        try:
            self.budget.reserve(call.priority, read=True, now=now)
        except BudgetExhausted as denied:
            wait = guard_wait(denied, call, now)
            if wait is None:
                raise
            self.clock.sleep(wait)
            now = self.clock.now()
            self.budget.reserve(call.priority, read=True, now=now)
        return now

    def _once(self, call: Call) -> Any:
        sent_at = self.clock.now()
        if call.budgeted:
            sent_at = self._reserve(call, sent_at)
        origin = self._origin(call, sent_at)
        try:
            try:
                response = self._send(call, origin)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                fallback = self._fall_back(call, origin, sent_at)
                if fallback is None:
                    raise
                origin = fallback
                response = self._send(call, origin)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise Transient(0, f"cannot reach {origin}{call.path} (connection failed)") from None
        if call.origin == "api":
            self.answered_at = origin
        if call.on_receipt is not None and response.status_code < 300:
            data = self._decode(response)
            try:
                call.on_receipt(data)
            finally:
                self._reconcile_quietly(response, sent_at)
            return data
        now = self.clock.now()
        if response.status_code == 429:
            raise self.budget.on_429(response.headers, now)
        self.budget.reconcile(response.headers, now, sent_at=sent_at)
        if response.status_code >= 300:
            raise error_for(
                response.status_code,
                response.content,
                resource=call.resource,
                resource_id=call.resource_id,
            )
        return self._decode(response)

    @staticmethod
    def _decode(response: httpx.Response) -> Any:
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise MalformedResponse(response.status_code, "response is not valid JSON") from None

    def _reconcile_quietly(self, response: httpx.Response, sent_at: datetime) -> None:
        """Reconcile after an ``on_receipt`` call, never hiding what that call raised."""
        try:
            self.budget.reconcile(response.headers, self.clock.now(), sent_at=sent_at)
        except Exception as exc:
            log.warning("rate headers not reconciled (%s)", type(exc).__name__)
