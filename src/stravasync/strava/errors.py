"""Errors of the Strava area, translated at the HTTP boundary; each carries data, not only text.

``Deferred`` is not a failure: the request was not (or could not be) served now, and the caller
reschedules at ``retry_at``. Everything else is a named condition a caller can act on.
"""

from __future__ import annotations

from datetime import datetime

from stravasync.errors import StravaSyncError
from stravasync.strava.platform import INACTIVE_HELP


class StravaError(StravaSyncError):
    """Root of every error of the Strava client, OAuth, tokens and budget."""


class Deferred(StravaError):
    """Not now: try again at ``retry_at`` (aware UTC). ``limit_class`` is e.g. ``read:15min``."""

    def __init__(self, retry_at: datetime, limit_class: str, message: str | None = None) -> None:
        super().__init__(message or f"deferred until {retry_at.isoformat()} ({limit_class})")
        self.retry_at = retry_at
        self.limit_class = limit_class


class RateLimited(Deferred):
    """Strava answered 429: the budget model was wrong; that limit is closed until its reset."""


class BudgetExhausted(Deferred):
    """Our shared budget denied the reservation; nothing was sent."""


class Unauthorized(StravaError):
    """401 on an API call: the access token is invalid or expired (``athlete_id`` if known)."""

    def __init__(self, athlete_id: int | None = None, reason: str = "authorization error") -> None:
        who = f"athlete {athlete_id}" if athlete_id is not None else "this token"
        super().__init__(f"Strava refused the access token of {who}: {reason}")
        self.athlete_id = athlete_id
        self.reason = reason


class TokenRevoked(Unauthorized):
    """The athlete's authorization is gone (revoked, deauthorized, refresh token invalid).

    The athlete is marked ``reconnect_needed``; they must connect again.
    """

    def __init__(
        self, athlete_id: int | None = None, reason: str = "refresh token invalid"
    ) -> None:
        super().__init__(athlete_id, reason)


class NotConnected(StravaError):
    """We hold no token for ``athlete_id``."""

    def __init__(self, athlete_id: int) -> None:
        super().__init__(f"no Strava token stored for athlete {athlete_id}; run `stravasync auth`")
        self.athlete_id = athlete_id


class InvalidGrant(StravaError):
    """400 from /oauth/token: the code (``kind='code'``) or refresh token is invalid or reused."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"Strava rejected the {kind.replace('_', ' ')} as invalid or already used")
        self.kind = kind


class InvalidClient(StravaError):
    """Strava rejected our client id / secret: 400 for an unknown ``client_id``, 401 for a wrong
    secret (both on the Application resource)."""

    def __init__(self) -> None:
        super().__init__(
            "Strava rejected the application credentials: check STRAVASYNC_CLIENT_ID and "
            "STRAVASYNC_CLIENT_SECRET"
        )


SCOPE_HELP = {
    "activity:read": (
        "the athlete did not allow stravasync to view their activities: connect again and keep "
        "the box 'View data about your activities' ticked"
    ),
    "activity:read_all": (
        "the athlete did not allow stravasync to view their private ('Only Me') activities: "
        "connect again and keep the box 'View data about your private activities' ticked"
    ),
}


class ScopeMissing(StravaError):
    """A scope the operation needs was not granted; the message says what to do in plain words."""

    def __init__(self, scope: str, granted: str = "") -> None:
        help_text = SCOPE_HELP.get(scope, f"the permission '{scope}' was not granted")
        super().__init__(f"{help_text} (granted: {granted or 'nothing'})")
        self.scope = scope
        self.granted = granted


class NotFound(StravaError):
    """404: the resource is deleted or not visible to this token."""

    def __init__(self, resource: str, resource_id: int | str | None = None) -> None:
        super().__init__(f"{resource} {resource_id if resource_id is not None else ''} not found")
        self.resource = resource
        self.resource_id = resource_id


class ApplicationInactive(StravaError):
    """403 for the whole application (the owner's subscription lapsed, or the app is disabled):
    fatal, do not retry."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INACTIVE_HELP + (f" (Strava: {detail})" if detail else ""))
        self.detail = detail


class AthleteCapacityExceeded(StravaError):
    """The application may not connect more athletes (403 'Limit of connected athletes')."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or "the application's athlete capacity is reached")
        self.detail = detail


class Transient(StravaError):
    """A failure worth retrying later: 5xx, a timeout, a broken connection, broken JSON.

    ``status`` is the HTTP status, or 0 when no response arrived.
    """

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"transient Strava failure ({status or 'no response'}): {reason}")
        self.status = status
        self.reason = reason


class MalformedResponse(Transient):
    """The response body is not JSON at all (cut short, an HTML page); nothing is stored."""


class UnexpectedResponse(StravaError):
    """A 2xx whose JSON does not have the shape we rely on; nothing from it is stored.

    Not transient: Strava would send the same answer again, so retrying cannot help. It means
    our model of Strava's API is wrong (or Strava changed it): ``model`` and ``detail`` say where.
    """

    def __init__(self, model: str, detail: str) -> None:
        super().__init__(f"Strava's answer does not fit {model}: {detail}")
        self.model = model
        self.detail = detail


class TokenRefused(Transient):
    """Strava refused the athlete's access tokens again after ``refreshes`` successful refreshes.

    Not a revocation: Strava accepted the refresh token, so the authorization is alive. A fresh
    token that dies at once means our clock and Strava's disagree (or the work outlived it), and
    a refresh that hands back the very token refused cannot help until that token nears expiry.
    Retried later with backoff; the athlete stays active.
    """

    def __init__(self, athlete_id: int, refreshes: int) -> None:
        super().__init__(
            401,
            f"Strava refused the access token of athlete {athlete_id} again after "
            f"{refreshes} successful refresh(es)",
        )
        self.athlete_id = athlete_id
        self.refreshes = refreshes


class OAuthStateInvalid(StravaError):
    """The ``state`` returned by the authorize redirect is unknown or expired (CSRF check)."""

    def __init__(self) -> None:
        super().__init__(
            "the authorization answer does not match a request we made (unknown or expired "
            "state); start again with `stravasync auth`"
        )


class AuthorizationDenied(StravaError):
    """The athlete pressed Cancel on Strava's authorize page (``error=access_denied``)."""

    def __init__(self, error: str) -> None:
        super().__init__(f"the athlete did not authorize stravasync ({error})")
        self.error = error


class SecretKeyError(StravaError):
    """The token encryption key is missing, malformed, or cannot decrypt stored tokens."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class RequestRejected(StravaError):
    """Another 4xx: the request itself is wrong (a bug or a changed API); not retried."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Strava rejected the request ({status}): {message}")
        self.status = status
        self.message = message


class AppSuspended(Deferred):
    """An app-level condition holds (``condition``: application_inactive | invalid_client):
    nothing is sent to Strava before ``retry_at``, when a probe may clear it. Not a failure of
    the unit of work: it waits, and spends no attempt."""

    def __init__(self, condition: str, reason: str, retry_at: datetime) -> None:
        super().__init__(
            retry_at,
            f"app:{condition}",
            f"Strava application suspended ({condition}): {reason}; "
            f"next probe at {retry_at.isoformat()}",
        )
        self.condition = condition
        self.reason = reason
