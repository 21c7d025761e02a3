"""Connecting an athlete: authorize URL with a CSRF ``state``, redirect parsing, scope check.

Flow: :func:`begin` stores a random state and returns the URL to open; Strava redirects to
``redirect_uri?state=..&code=..&scope=..`` (or ``error=access_denied``); :func:`complete`
checks the state (once, before it expires), checks the granted scopes, exchanges the code and
stores the encrypted tokens. :func:`check_scopes` explains a missing permission in plain words:
the most common setup mistake is unticking "View data about your private activities".
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlparse

from stravasync.store import Database
from stravasync.store.people import athletes as athlete_q
from stravasync.store.people import tokens as token_q
from stravasync.strava.client import StravaClient
from stravasync.strava.errors import (
    AthleteCapacityExceeded,
    AuthorizationDenied,
    OAuthStateInvalid,
    ScopeMissing,
    StravaError,
)
from stravasync.strava.platform import AUTHORIZE_PATH
from stravasync.strava.tokens import TokenManager

log = logging.getLogger(__name__)
DEFAULT_SCOPES = ("read", "activity:read_all", "profile:read_all")
STATE_TTL = timedelta(minutes=15)
MAX_PENDING_STATES = 5_000
"""Unexpired states kept at most: ``/connect`` is public, so its table needs a ceiling."""


@dataclass(frozen=True, slots=True)
class ScopePolicy:
    """What to ask Strava for and whether a grant without ``activity:read_all`` is refused
    (``STRAVASYNC_OAUTH_SCOPES``, ``STRAVASYNC_REQUIRE_PRIVATE_SCOPE``): one decision for the
    CLI and the web flow."""

    scopes: tuple[str, ...] = DEFAULT_SCOPES
    require_private: bool = True

    @classmethod
    def parse(cls, scopes: str, *, require_private: bool) -> ScopePolicy:
        wanted = tuple(s.strip() for s in scopes.split(",") if s.strip())
        return cls(scopes=wanted or DEFAULT_SCOPES, require_private=require_private)


def authorize_url(
    base_url: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    scopes: tuple[str, ...] = DEFAULT_SCOPES,
    approval_prompt: str = "auto",
) -> str:
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "approval_prompt": approval_prompt,
            "scope": ",".join(scopes),
            "state": state,
        }
    )
    return f"{base_url.rstrip('/')}{AUTHORIZE_PATH}?{query}"


def check_scopes(granted: str, *, require_private: bool = True) -> None:
    """Raise :class:`ScopeMissing` unless ``granted`` lets us read the athlete's activities.

    ``activity:read_all`` implies ``activity:read``. With ``require_private`` (the default for a
    faithful mirror) ``activity:read_all`` is required: without it "Only Me" activities are
    invisible and private edits arrive as deletions.
    """
    scopes = {s.strip() for s in granted.replace(" ", ",").split(",") if s.strip()}
    if "activity:read_all" in scopes:
        return
    if "activity:read" not in scopes:
        raise ScopeMissing("activity:read", granted)
    if require_private:
        raise ScopeMissing("activity:read_all", granted)


@dataclass(frozen=True, slots=True)
class Redirect:
    """What came back from Strava's authorize page (any field may be missing)."""

    code: str | None
    state: str | None
    scope: str | None
    error: str | None


def parse_redirect(text: str) -> Redirect:
    """Parse a pasted redirect URL (or its query string); a bare code is taken as the code."""
    text = text.strip()
    if "=" not in text:
        return Redirect(code=text or None, state=None, scope=None, error=None)
    query = urlparse(text).query if "?" in text else text
    values = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    return Redirect(
        code=values.get("code") or None,
        state=values.get("state") or None,
        scope=values.get("scope"),
        error=values.get("error") or None,
    )


def begin(
    db: Database,
    now: datetime,
    *,
    return_to: str | None = None,
    max_pending: int | None = None,
) -> str:
    """Store and return a fresh random state (valid for 15 minutes, once). With ``max_pending``
    states already waiting, the oldest is dropped to make room (logged)."""
    state = secrets.token_urlsafe(24)
    with db.transaction() as conn:
        evicted = token_q.add_state(
            conn,
            state,
            now=now,
            expires_at=now + STATE_TTL,
            return_to=return_to,
            max_pending=max_pending,
        )
    if evicted:
        log.warning("%s connections pending: dropped the %s oldest", max_pending, evicted)
    return state


def take_state(db: Database, state: str | None, now: datetime) -> str | None:
    """Consume ``state`` or raise :class:`OAuthStateInvalid`; returns its ``return_to``."""
    if not state:
        raise OAuthStateInvalid()
    with db.transaction() as conn:
        valid, return_to = token_q.take_state(conn, state, now=now)
    if not valid:
        raise OAuthStateInvalid()
    return return_to


def complete(
    db: Database,
    client: StravaClient,
    tokens: TokenManager,
    redirect: Redirect,
    now: datetime,
    *,
    check_state: bool = True,
    require_private: bool = True,
    require_scope: bool = False,
    capacity: int | None = None,
) -> int:
    """Finish a connection from a redirect: returns the connected athlete's id.

    The state is checked first, then the scopes (before spending the single-use code), then the
    code is exchanged and the tokens stored encrypted. ``scope=None`` (a bare code) skips the
    scope check, since Strava's token answer does not say what was granted, unless
    ``require_scope`` (the web flow: Strava always sends ``scope``, so its absence is refused).

    ``capacity`` (STRAVASYNC_ATHLETE_CAPACITY): a NEW athlete beyond it is refused with
    :class:`AthleteCapacityExceeded` after their fresh authorization is withdrawn on Strava (so
    it holds no slot); an athlete already connected may always reconnect. The athlete's id is
    only known from the token answer, hence the check after the exchange.
    """
    if redirect.error:
        raise AuthorizationDenied(redirect.error)
    if check_state:
        take_state(db, redirect.state, now)
    if redirect.scope is not None or require_scope:
        check_scopes(redirect.scope or "", require_private=require_private)
    if not redirect.code:
        raise AuthorizationDenied("no code in the answer")
    token = client.exchange_code(redirect.code)
    if capacity is not None and token.athlete is not None:
        _check_capacity(db, client, token.athlete.id, token.access_token, capacity)
    return tokens.store_new(token, now, scope=redirect.scope)


def capacity_refusal(connected: int, capacity: int) -> str:
    """The plain words of a refusal (pure)."""
    return (
        f"this service is full: its Strava application may connect {capacity} athlete(s) and "
        f"{connected} are connected; nothing was stored and the authorization was withdrawn. "
        "Ask the operator to make room or to raise STRAVASYNC_ATHLETE_CAPACITY"
    )


def _check_capacity(
    db: Database, client: StravaClient, athlete_id: int, access_token: str, capacity: int
) -> None:
    with db.engine.connect() as conn:
        if athlete_q.is_connected(conn, athlete_id):
            return
        connected = athlete_q.connected_count(conn)
    if connected < capacity:
        return
    try:
        client.revoke(access_token, token_type_hint="access_token")  # noqa: S106
    except StravaError as exc:  # still refused; the token is simply not kept
        log.warning("could not withdraw the refused authorization: %s", type(exc).__name__)
    log.warning(
        "connection refused: athlete capacity %d reached", capacity, extra={"capacity": capacity}
    )
    raise AthleteCapacityExceeded(capacity_refusal(connected, capacity))
