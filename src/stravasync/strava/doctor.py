"""``stravasync doctor``: check the setup against the real Strava, in plain words, in <= 5 requests.

What it checks, one request each (fewer when an earlier answer makes a check pointless):

1. the application's credentials and its webhook subscription (GET /push_subscriptions: one
   answer says both: a 400/401 names the credentials, the list shows the subscription);
2. the athlete's token (a refresh when it is due: one more request), then GET /athlete (the
   token works; ``resource_state`` 3 means ``profile:read_all`` was granted);
3. GET /athlete/activities?per_page=1 (``activity:read`` granted); ``activity:read_all`` cannot
   be seen in an answer, so the scope stored at connect time decides;
4. the rate-limit headers of those answers: the tier Strava applies, against the configured one;
5. which API origin answered (the 2026/27 platform: docs/strava-platform.md) and what to set;
   the connected athletes against the capacity, else the Standard tier's 10.

The checks are pure functions of what was seen (:func:`rate_findings` and friends); :class:`Meter`
counts the requests sent and refuses a sixth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import httpx

from stravasync.errors import StravaSyncError
from stravasync.strava.errors import (
    ApplicationInactive,
    InvalidClient,
    ScopeMissing,
    StravaError,
    TokenRevoked,
    Unauthorized,
)
from stravasync.strava.models import PushSubscription
from stravasync.strava.platform import (
    INACTIVE_HELP,
    STANDARD_TIER_ATHLETES,
    Origins,
    advice,
    athletes_against_tier,
)
from stravasync.strava.quota.counters import parse_headers
from stravasync.strava.quota.ratelimit import Limits, Priority
from stravasync.strava.quota.tiers import setting_hint, stated_limits, tier_of

MAX_REQUESTS = 5


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # credentials | webhook | token | scopes | rate_limits | origin | athletes
    ok: bool
    message: str


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def add(self, check: str, ok: bool, message: str) -> None:
        self.findings.append(Finding(check, ok, message))

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "requests": self.requests,
            "findings": [asdict(f) for f in self.findings],
        }


class RequestCapReached(StravaSyncError):
    def __init__(self) -> None:
        super().__init__(f"doctor spends at most {MAX_REQUESTS} requests")


class Meter:
    """httpx hooks: counts requests, keeps the last rate-limit headers, refuses a sixth."""

    def __init__(self, cap: int = MAX_REQUESTS) -> None:
        self.cap = cap
        self.sent = 0
        self.answered = 0  # requests Strava answered: the ones it counted (none if unreachable)
        self.headers: dict[str, str] = {}

    def on_request(self, request: httpx.Request) -> None:
        if self.sent >= self.cap:
            raise RequestCapReached()
        self.sent += 1

    def on_response(self, response: httpx.Response) -> None:
        self.answered += 1
        if parse_headers(response.headers):
            self.headers = dict(response.headers)

    def client(self, **kwargs: Any) -> httpx.Client:
        hooks: dict[str, list[Callable[..., Any]]] = {
            "request": [self.on_request],
            "response": [self.on_response],
        }
        return httpx.Client(event_hooks=hooks, **kwargs)


def rate_findings(headers: Mapping[str, str], configured: Limits) -> list[Finding]:
    """What Strava's rate headers say against the configured budget."""
    usage = parse_headers(headers)
    seen = stated_limits(usage)
    if seen is None:
        return [Finding("rate_limits", False, "Strava's answers carried no rate-limit headers")]
    used = ", ".join(f"{lc.value} {w.value} {u}/{lim}" for (lc, w), (u, lim) in usage.items())
    out = [Finding("rate_limits", True, f"Strava applies the {tier_of(seen)} tier ({used})")]
    over = [
        f"{lc.value} {w.value}: configured {configured.value(lc, w)}, Strava allows {lim}"
        for (lc, w), (_u, lim) in usage.items()
        if configured.value(lc, w) > lim
    ]
    if over:
        out.append(
            Finding(
                "rate_limits",
                False,
                "the configured budget allows more than Strava does, so syncing would earn 429s ("
                + "; ".join(over)
                + f"): set {setting_hint(seen)}",
            )
        )
    elif seen != configured:
        out.append(
            Finding(
                "rate_limits",
                True,
                f"the configured budget is below Strava's ({tier_of(configured)}): "
                f"{setting_hint(seen)} would use all of it",
            )
        )
    return out


def webhook_findings(subs: list[PushSubscription], callback_url: str) -> list[Finding]:
    if not subs:
        return [
            Finding(
                "webhook",
                False,
                "no webhook subscription: new activities arrive only by polling, late and at a "
                f"cost; run `stravasync webhooks subscribe --callback-url {callback_url}`",
            )
        ]
    sub = subs[0]
    if sub.callback_url != callback_url:
        return [
            Finding(
                "webhook",
                False,
                f"the webhook subscription {sub.id} sends events to {sub.callback_url}, not to "
                f"this service ({callback_url}): unsubscribe it and subscribe again",
            )
        ]
    return [Finding("webhook", True, f"webhook subscription {sub.id} sends events here")]


def scope_findings(stored_scope: str, athlete_state: int | None) -> list[Finding]:
    granted = {s for s in stored_scope.replace(" ", ",").split(",") if s}
    out = []
    if "activity:read_all" not in granted:
        out.append(
            Finding(
                "scopes",
                False,
                "the athlete did not grant activity:read_all: private ('Only Me') activities are "
                "not mirrored; connect again with `stravasync auth` and keep that box ticked",
            )
        )
    if athlete_state is not None and athlete_state < 3:
        out.append(
            Finding(
                "scopes",
                True,
                "profile:read_all is not granted: the athlete's profile is the public summary",
            )
        )
    return out or [Finding("scopes", True, f"granted: {','.join(sorted(granted))}")]


def check_credentials(
    report: Report, list_subscriptions: Callable[[], list[PushSubscription]], callback_url: str
) -> bool:
    """Step 1. False when the credentials are wrong (then nothing else can work)."""
    try:
        subs = list_subscriptions()
    except ApplicationInactive:
        report.add("credentials", False, INACTIVE_HELP)
        return False
    except InvalidClient:
        report.add(
            "credentials",
            False,
            "Strava rejected the application's credentials: check STRAVASYNC_CLIENT_ID and "
            "STRAVASYNC_CLIENT_SECRET against strava.com/settings/api",
        )
        return False
    except StravaError as exc:
        report.add("credentials", False, f"the credentials could not be checked: {exc}")
        return False
    report.add("credentials", True, "Strava accepts the application's credentials")
    report.findings += webhook_findings(subs, callback_url)
    return True


def origin_findings(origins: Origins, answered: str | None, today: date) -> list[Finding]:
    """Which API origin answered, and what the operator should set (pure)."""
    if answered is None:
        tried = origins.api + (f" and {origins.fallback}" if origins.fallback else "")
        return [Finding("origin", False, f"the Strava API could not be reached at {tried}")]
    return [Finding("origin", answered == origins.api, advice(origins, answered, today))]


def athlete_findings(connected: int, capacity: int | None) -> list[Finding]:
    """Connected athletes against STRAVASYNC_ATHLETE_CAPACITY, else the Standard tier (pure)."""
    text = athletes_against_tier(connected, capacity)
    if capacity is not None:
        return [Finding("athletes", connected <= capacity, text)]
    hint = (
        f"; a Standard-tier app may connect {STANDARD_TIER_ATHLETES} after its self-upgrade "
        "(strava.com/settings/api): set STRAVASYNC_ATHLETE_CAPACITY to your app's number"
    )
    return [Finding("athletes", True, text + hint)]


def check_token(
    report: Report,
    access_token: Callable[[], str],
    get_athlete: Callable[[str], Any],
    list_one: Callable[[str], Any],
    stored_scope: str,
) -> None:
    """Steps 2-3: the token works, and what it may read."""
    try:
        token = access_token()
        athlete = get_athlete(token)
    except (TokenRevoked, Unauthorized) as exc:
        report.add("token", False, f"{exc}: connect the athlete again with `stravasync auth`")
        return
    except StravaError as exc:
        report.add("token", False, f"the token could not be checked: {exc}")
        return
    report.add("token", True, f"the token of athlete {athlete.id} works")
    try:
        list_one(token)
    except ScopeMissing as exc:
        report.add("scopes", False, str(exc))
        return
    except StravaError as exc:
        report.add("scopes", False, f"listing activities failed: {exc}")
        return
    report.findings += scope_findings(stored_scope, athlete.resource_state)


PRIORITY = Priority.INTERACTIVE
