"""Strava's platform: where the API and OAuth live, and the dates they change (one place).

Strava's 2026/27 changes (docs/strava-platform.md): the API moves from
``https://www.strava.com/api/v3`` to ``https://api-v3.strava.com`` (paths without ``/api/v3``),
served from 2027-01-04 and required from 2027-06-01; OAuth stays on ``https://www.strava.com``;
``POST /oauth/deauthorize`` retires on 2027-06-01 (``POST /oauth/revoke`` replaces it) and tokens
travel only in the ``Authorization`` header. Every origin, endpoint and date the rest of the code
needs is a name here, so the next change is one edit (DESIGN principle 8).

:func:`choose_origins` decides, from the settings and the configured clock's date, which API
origin to try first and which one to fall back to when the first cannot be reached (a
connection or DNS failure, never an HTTP answer); :func:`api_origin` picks between them while a
fall-back is remembered. Both are pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

STRAVA_WWW = "https://www.strava.com"
"""OAuth (``/oauth/authorize``, ``/oauth/token``, ``/oauth/revoke``), and the old API's host."""
API_PREFIX = "/api/v3"
OLD_API = STRAVA_WWW + API_PREFIX
NEW_API = "https://api-v3.strava.com"
NEW_API_FROM = date(2027, 1, 4)
"""The new origin answers from this day (Strava's changelog)."""
OLD_API_UNTIL = date(2027, 6, 1)
"""From this day: only the new origin, ``/oauth/deauthorize`` retired, tokens only in headers."""
SUBSCRIPTION_SINCE = date(2026, 6, 30)
"""Existing Standard-tier apps need the owner's paid subscription from this day."""
STANDARD_TIER_ATHLETES = 10
"""Athletes a Standard-tier app may connect after its self-upgrade (more: Extended Access)."""
SETTINGS_PAGE = "https://www.strava.com/settings/api"

INACTIVE_HELP = (
    "Strava answers 403 for this application (status Inactive): the app owner's Strava "
    "subscription or the app's status. A Standard-tier app needs its owner's paid Strava "
    f"subscription (since {SUBSCRIPTION_SINCE}): the owner should renew it on strava.com, then "
    f"check the application on {SETTINGS_PAGE} (or apply for Extended Access, which needs no "
    "subscription); stravasync probes Strava and resumes by itself"
)
"""What an inactive application means, in plain words (log, app_state, dashboard, doctor)."""

AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a secret)
REVOKE_PATH = "/oauth/revoke"
RETIRED_PATHS = ("/oauth/deauthorize",)
"""Endpoints stravasync never sends (retired by Strava)."""
DEPRECATED_PREFIXES = ("/clubs", "/segments/explore")
"""Club and segment-explore endpoints, deprecated on 2026-09-01: never called."""

FALLBACK_MEMORY = timedelta(hours=1)
"""How long a fall-back to the other API origin is kept before the first choice is tried again."""


@dataclass(frozen=True, slots=True)
class Origins:
    """Where requests go. ``api``: the first choice for API paths (no ``/api/v3`` in the paths;
    the old origin carries it); ``fallback``: tried only when ``api`` cannot be reached;
    ``oauth``: the OAuth origin; ``source``: what decided (for ``doctor`` and the log)."""

    api: str
    oauth: str
    fallback: str | None = None
    source: str = "date"

    @classmethod
    def single(cls, base_url: str) -> Origins:
        """One origin serving ``/api/v3`` and ``/oauth`` (today's Strava, a 2026 simulator)."""
        base = base_url.rstrip("/")
        return cls(api=base + API_PREFIX, oauth=base, source="STRAVASYNC_STRAVA_BASE_URL")


def athletes_against_tier(connected: int, capacity: int | None) -> str:
    """Connected athletes against the configured capacity, else the Standard tier's 10 (pure)."""
    if capacity is not None:
        return f"{connected} connected / {capacity} capacity"
    note = f"{connected} connected / {STANDARD_TIER_ATHLETES} (the Standard tier's limit"
    if connected >= STANDARD_TIER_ATHLETES:
        return note + "; more needs Strava's Extended Access tier)"
    return note + ")"


OriginPlan = Callable[[date], Origins]
"""The origins for a day (the settings applied to :func:`choose_origins`): a service running
across 2027-01-04 or 2027-06-01 switches on the day, without a restart."""


def is_strava_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "strava.com" or host.endswith(".strava.com")


def default_api(today: date) -> str:
    """The API origin an operator who sets nothing should use on ``today``."""
    return OLD_API if today < NEW_API_FROM else NEW_API


def safe_fallback(today: date) -> str:
    """The origin known to answer on ``today``: the old one while it is served, then the new."""
    return OLD_API if today < OLD_API_UNTIL else NEW_API


def choose_origins(
    today: date,
    *,
    base_url: str = STRAVA_WWW,
    api_url: str | None = None,
    oauth_url: str | None = None,
) -> Origins:
    """The origins for ``today`` (pure).

    - ``api_url`` (STRAVASYNC_STRAVA_API_URL) wins; if it names a strava.com host that is not
      the one known to answer on ``today`` (a typo such as ``www.api-v3.strava.com``, or the new
      host before it exists), that known origin is the fall-back.
    - ``base_url`` (STRAVASYNC_STRAVA_BASE_URL) other than Strava's (a simulator): one origin,
      ``/api/v3`` under it, no fall-back (never send a simulator's tokens to Strava).
    - otherwise Strava by the date: before 2027-01-04 the old origin; until 2027-06-01 the new
      one with the old as fall-back; from then the new one alone.
    ``oauth_url`` (STRAVASYNC_STRAVA_OAUTH_URL), else ``base_url``, is the OAuth origin.
    """
    base = base_url.rstrip("/")
    oauth = (oauth_url or base).rstrip("/")
    if api_url:
        api = api_url.rstrip("/")
        known = safe_fallback(today)
        fallback = known if is_strava_host(api) and api != known else None
        return Origins(api, oauth, fallback, "STRAVASYNC_STRAVA_API_URL")
    if base != STRAVA_WWW:
        return Origins(base + API_PREFIX, oauth, None, "STRAVASYNC_STRAVA_BASE_URL")
    if today < NEW_API_FROM:
        return Origins(OLD_API, oauth, None, "date")
    if today < OLD_API_UNTIL:
        return Origins(NEW_API, oauth, OLD_API, "date")
    return Origins(NEW_API, oauth, None, "date")


def api_origin(origins: Origins, fallback_until: datetime | None, now: datetime) -> str:
    """The API origin to send to now: the fall-back while one is remembered (pure)."""
    if origins.fallback is not None and fallback_until is not None and now < fallback_until:
        return origins.fallback
    return origins.api


def advice(origins: Origins, answered: str, today: date) -> str:
    """What ``doctor`` tells the operator about the API origin that answered (pure)."""
    if answered == origins.api:
        if origins.source == "date" and today < OLD_API_UNTIL and answered == OLD_API:
            return (
                f"the API answered at {answered}; from {NEW_API_FROM} stravasync switches to "
                f"{NEW_API} by itself (required from {OLD_API_UNTIL}); nothing to set"
            )
        return f"the API answered at {answered} ({origins.source}); nothing to change"
    if origins.source == "date":
        return (
            f"the API did not answer at {origins.api} (a connection or DNS failure) and "
            f"answered at the fall-back {answered}: {origins.api} is required from "
            f"{OLD_API_UNTIL}; let this host reach it (DNS, firewall, proxy)"
        )
    return (
        f"the API did not answer at {origins.api} ({origins.source}; Strava's host is "
        f"{NEW_API}) and answered at the fall-back {answered}: correct "
        f"{origins.source} or unset it (stravasync then picks the origin by the date)"
    )
