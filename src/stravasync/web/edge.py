"""What every request passes first: forwarded headers, the browser session, security headers.

- Forwarded headers (``X-Forwarded-For``/``-Proto``) are believed only from the proxies in
  ``STRAVASYNC_TRUSTED_PROXIES`` (uvicorn's ProxyHeadersMiddleware does the parsing); with none
  configured, the peer address is the client, whatever the headers say. ``stravasync serve``
  turns uvicorn's own handling off, which would trust 127.0.0.1 by default.
- The session cookie (:mod:`stravasync.web.session`): HttpOnly, SameSite=Strict, Secure when
  ``STRAVASYNC_PUBLIC_URL`` is https.
- Every HTML answer forbids framing and inline scripts (CSP); every answer says ``nosniff``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from stravasync.config import Settings
from stravasync.web.auth import MIN_SECRET_LENGTH, short_secrets
from stravasync.web.session import SESSION_COOKIE, SESSION_TTL, signing_key

log = logging.getLogger(__name__)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def policy_admitting(styles: list[str], workers: list[str]) -> str:
    """:data:`CONTENT_SECURITY_POLICY` with extra ``style-src`` sources (nonces, hashes) and a
    ``worker-src``, for one page whose library writes its CSS and workers at run time (ReDoc);
    ``script-src`` stays 'self'."""
    policy = CONTENT_SECURITY_POLICY.replace(
        "style-src 'self';", f"style-src 'self' {' '.join(styles)};", 1
    )
    return f"{policy}; worker-src {' '.join(workers)}" if workers else policy


HTML_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Adds :data:`HTML_HEADERS` to HTML answers and ``X-Content-Type-Options`` to all."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in HTML_HEADERS.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, add_headers)


def trusted_proxies(settings: Settings) -> list[str]:
    return [p for p in settings.trusted_proxies.split(",") if p]


def warn_short_secrets(settings: Settings) -> list[str]:
    """Log (names only) the secrets short enough to guess; returns their variable names."""
    short = short_secrets(
        {
            "STRAVASYNC_ADMIN_TOKEN": settings.admin_token,
            "STRAVASYNC_API_KEY": settings.api_key,
            "STRAVASYNC_CRON_SECRET": settings.cron_secret,
            "STRAVASYNC_WEBHOOK_VERIFY_TOKEN": settings.webhook_verify_token,
        }
    )
    for name in short:
        log.warning(
            "%s is shorter than %s characters: use a long random value (docs/security.md)",
            name,
            MIN_SECRET_LENGTH,
        )
    return short


def install(app: FastAPI, settings: Settings) -> None:
    """Add the edge middleware (the last added runs first: proxies, then session, headers)."""
    warn_short_secrets(settings)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        SessionMiddleware,
        secret_key=signing_key(settings.admin_token),
        session_cookie=SESSION_COOKIE,
        max_age=int(SESSION_TTL.total_seconds()),
        same_site="strict",
        https_only=settings.public_url.startswith("https://"),
    )
    proxies = trusted_proxies(settings)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
