"""FastAPI dependencies that guard the admin, data and cron routes."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from stravasync.web.auth import ADMIN_COOKIE, token_matches
from stravasync.web.context import WebContext, get_ctx
from stravasync.web.schemas import Problem

log = logging.getLogger(__name__)

admin_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AdminToken",
    description="STRAVASYNC_ADMIN_TOKEN (the dashboard may send it as a cookie instead)",
)
api_bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey", description="STRAVASYNC_API_KEY")
cron_bearer = HTTPBearer(
    auto_error=False, scheme_name="CronSecret", description="STRAVASYNC_CRON_SECRET"
)

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or wrong token"},
    429: {"model": Problem, "description": "too many failed attempts from this client"},
}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_token(
    request: Request, ctx: WebContext, given: str | None, expected: SecretStr | None, realm: str
) -> None:
    """Raise 429 when the client is locked out, 401 when ``given`` is wrong."""
    client = _client(request)
    now = ctx.clock.now()
    until = ctx.limiter.blocked_until(client, now)
    if until is not None:
        retry = max(int((until - now).total_seconds()) + 1, 1)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed attempts; try again later",
            headers={"Retry-After": str(retry)},
        )
    if token_matches(given, expected):
        return
    ctx.limiter.record_failure(client, now)
    log.warning("rejected %s credentials from %s on %s", realm, client, request.url.path)
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
    given = creds.credentials if creds else request.cookies.get(ADMIN_COOKIE)
    check_token(request, ctx, given, ctx.settings.admin_token, "admin")


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


Ctx = Annotated[WebContext, Depends(get_ctx)]


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "unknown"}}


def admin_router() -> APIRouter:
    """A router under ``/api/admin`` that requires the admin token on every route."""
    return APIRouter(
        prefix="/api/admin",
        tags=["admin"],
        dependencies=[Depends(require_admin)],
        responses=AUTH_RESPONSES,
    )
