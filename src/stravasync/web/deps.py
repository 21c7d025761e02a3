"""FastAPI dependencies that guard the admin, data and cron routes."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from stravasync.web import session
from stravasync.web.auth import Realm, retry_after, token_matches
from stravasync.web.context import WebContext, get_ctx
from stravasync.web.schemas import Problem

log = logging.getLogger(__name__)

admin_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AdminToken",
    description="STRAVASYNC_ADMIN_TOKEN (the dashboard's browser session works too)",
)
api_bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey", description="STRAVASYNC_API_KEY")
cron_bearer = HTTPBearer(
    auto_error=False, scheme_name="CronSecret", description="STRAVASYNC_CRON_SECRET"
)
metrics_bearer = HTTPBearer(
    auto_error=False, scheme_name="MetricsToken", description="STRAVASYNC_METRICS_TOKEN"
)

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or wrong token"},
    429: {"model": Problem, "description": "too many wrong tokens from this client"},
}


def client_address(request: Request) -> str:
    """The peer address (or the one a trusted proxy forwarded: :mod:`stravasync.web.edge`)."""
    return request.client.host if request.client else "unknown"


def secret_ok(
    request: Request, ctx: WebContext, given: str | None, expected: SecretStr | None, realm: Realm
) -> bool:
    """True for the right secret, always. A wrong one is counted against (realm, client) and
    gives False, or raises 429 once that client failed too often in that realm. No secret at
    all (an expired dashboard session, a probe) is not a guess: False, not counted."""
    if token_matches(given, expected):
        return True
    if not given:
        return False
    client = client_address(request)
    now = ctx.clock.now()
    until = ctx.limiter.blocked_until(realm, client, now)
    if until is not None:
        ctx.metrics.auth_refused.labels(realm, "limited").inc()
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed attempts; try again later",
            headers={"Retry-After": str(retry_after(until, now))},
        )
    ctx.limiter.record_failure(realm, client, now)
    ctx.metrics.auth_refused.labels(realm, "wrong").inc()
    log.warning("rejected %s credentials from %s on %s", realm, client, request.url.path)
    return False


def check_token(
    request: Request, ctx: WebContext, given: str | None, expected: SecretStr | None, realm: Realm
) -> None:
    """Raise 429 when a wrong ``given`` comes from a client over the limit, 401 when wrong."""
    if secret_ok(request, ctx, given, expected, realm):
        return
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        f"a valid {realm} bearer token is required",
        headers={"WWW-Authenticate": "Bearer"},
    )


def require_admin(
    request: Request,
    ctx: Annotated[WebContext, Depends(get_ctx)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(admin_bearer)],
) -> None:
    """The admin Bearer token, or the dashboard's session (with its CSRF token on a POST)."""
    if creds is None and session.is_admin(request, ctx.clock.now()):
        if request.method in session.SAFE_METHODS:
            return
        if session.csrf_ok(request, request.headers.get(session.CSRF_HEADER)):
            return
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong X-CSRF-Token header")
    check_token(
        request, ctx, creds.credentials if creds else None, ctx.settings.admin_token, "admin"
    )


def require_api_key(
    request: Request,
    ctx: Annotated[WebContext, Depends(get_ctx)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(api_bearer)],
) -> None:
    check_token(request, ctx, creds.credentials if creds else None, ctx.settings.api_key, "api")


def require_cron(
    request: Request,
    ctx: Annotated[WebContext, Depends(get_ctx)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(cron_bearer)],
) -> None:
    check_token(
        request, ctx, creds.credentials if creds else None, ctx.settings.cron_secret, "cron"
    )


def require_metrics(
    request: Request,
    ctx: Annotated[WebContext, Depends(get_ctx)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(metrics_bearer)],
) -> None:
    """The metrics token when one is set; without the setting ``/metrics`` stays open (it
    names no id, token or subscription: docs/security.md)."""
    expected = ctx.settings.metrics_token
    if expected is None:
        return
    check_token(request, ctx, creds.credentials if creds else None, expected, "metrics")


Ctx = Annotated[WebContext, Depends(get_ctx)]


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "unknown"}}


def admin_router() -> APIRouter:
    """A router under ``/api/admin`` that requires the admin token on every route."""
    return APIRouter(
        prefix="/api/admin",
        tags=["admin"],
        dependencies=[Depends(require_admin)],
        responses={
            **AUTH_RESPONSES,
            403: {"model": Problem, "description": "dashboard session without its CSRF token"},
        },
    )
