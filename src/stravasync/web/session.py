"""The dashboard's browser session: a signed, expiring cookie that never holds a secret.

Starlette's ``SessionMiddleware`` (itsdangerous) signs the cookie; its key is derived from
``STRAVASYNC_ADMIN_TOKEN``, so every web process of a deployment accepts the same sessions and
changing the admin token signs everyone out. The session holds when the login happened (the
service clock, checked against :data:`SESSION_TTL`) and a CSRF token that every browser POST
must echo (a form field or the ``X-CSRF-Token`` header).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from fastapi import Request
from pydantic import SecretStr

SESSION_COOKIE = "stravasync_session"
SESSION_TTL = timedelta(hours=12)
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ADMIN_AT = "admin_at"


def signing_key(admin_token: SecretStr | None) -> str:
    """The session signing key: HMAC of the admin token (random when none is set, so no
    session can be made at all)."""
    if admin_token is None or not admin_token.get_secret_value():
        return secrets.token_hex(32)
    raw = admin_token.get_secret_value().encode()
    return hmac.new(raw, b"stravasync dashboard session v1", hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """This browser's CSRF token, made on first use (the login form)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_ok(request: Request, given: str | None) -> bool:
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def log_in(request: Request, now: datetime) -> None:
    """A fresh session (a new CSRF token too: nothing from before the login carries over)."""
    request.session.clear()
    request.session[_ADMIN_AT] = now.timestamp()
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    request.session.clear()


def is_admin(request: Request, now: datetime) -> bool:
    """True while the session's login is younger than :data:`SESSION_TTL`."""
    at = request.session.get(_ADMIN_AT)
    if not isinstance(at, int | float):
        return False
    age = now.timestamp() - float(at)
    return 0 <= age < SESSION_TTL.total_seconds()
