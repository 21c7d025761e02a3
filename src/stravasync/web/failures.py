"""Every failure answer in one shape: a ``Problem`` (``error``, ``detail``) for JSON routes, a
short plain page for the dashboard and the connect flow; never a stack trace.

- ``HTTPException``: its status, the code from :data:`ERROR_CODES`; on a page path asked for by
  a browser (``Accept: text/html``), the same as a page in the site's layout (a 404 page, not
  raw JSON).
- ``RequestValidationError`` (a bound in :mod:`stravasync.web.bounds` refused a value): 422,
  naming each refused field and why, without echoing the value.
- The database unreachable or failing (SQLAlchemy's ``OperationalError``/``InterfaceError``, a
  :class:`~stravasync.store.errors.StoreError`): 503 with ``Retry-After``, one log line.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from stravasync.store.errors import StoreError
from stravasync.web.pages import templates

log = logging.getLogger(__name__)

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_attempts",
    503: "unavailable",
}
HTML_PREFIXES = ("/admin", "/connect", "/oauth", "/me")
"""Paths answered with pages (people read them in a browser); everything else is JSON."""
MAX_ERRORS_SHOWN = 5
DB_RETRY_AFTER_S = 5


def wants_html(request: Request) -> bool:
    path = request.url.path
    return path.startswith(HTML_PREFIXES) and not path.startswith("/admin/static")


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": ERROR_CODES.get(status, "error"), "detail": detail}
    return JSONResponse(body, status_code=status, headers=headers)


def page(status: int, title: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """A page that needs nothing (no template, no database) to render."""
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def describe(errors: list[Any]) -> str:
    """``query.since: a date must be ...; path.athlete_id: Input should be ...`` (no values)."""
    parts = []
    for err in errors[:MAX_ERRORS_SHOWN]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "request"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    if len(errors) > MAX_ERRORS_SHOWN:
        parts.append(f"and {len(errors) - MAX_ERRORS_SHOWN} more")
    return "; ".join(parts)


PAGE_TITLES = {
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Not allowed here",
    422: "That request cannot be shown",
    429: "Too many attempts",
}
BACK = {"/admin": ("/admin", "Back to the dashboard"), "/me": ("/me", "Back to my page")}


def browser_page(request: Request) -> bool:
    """A page path asked for by a browser (API clients send ``*/*`` or JSON)."""
    return wants_html(request) and "text/html" in request.headers.get("accept", "")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if browser_page(request):
        return _error_page(request, exc.status_code, str(exc.detail), headers)
    return problem(exc.status_code, str(exc.detail), headers)


def _error_page(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    path = request.url.path
    back = next((link for prefix, link in BACK.items() if path.startswith(prefix)), None)
    context = {
        "status": status,
        "title": PAGE_TITLES.get(status, "Something went wrong"),
        "message": message,
        "back": back,
    }
    return templates.TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers
    )


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    detail = describe(list(exc.errors()))
    if browser_page(request):  # a hand-edited link or a filter out of bounds: a page
        return _error_page(request, 422, f"Some of the request was not accepted: {detail}.")
    return problem(422, detail)


async def _database_down(request: Request, exc: Exception) -> Response:
    log.error(
        "database unavailable on %s %s: %s",
        request.method,
        request.url.path,
        type(exc).__name__,
        extra={"error": type(exc).__name__},
    )
    headers = {"Retry-After": str(DB_RETRY_AFTER_S)}
    if wants_html(request):
        return page(
            503,
            "Temporarily unavailable",
            "The service cannot reach its database right now. Please try again in a minute.",
            headers,
        )
    return problem(503, "the database is unavailable; retry later", headers)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    for exc_type in (OperationalError, InterfaceError, StoreError):
        app.add_exception_handler(exc_type, _database_down)


def problem_in_openapi(schema: dict[str, Any]) -> None:
    """Document 422 as a ``Problem`` (what :func:`_invalid` answers), not FastAPI's shape."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Problem",
        {
            "title": "Problem",
            "type": "object",
            "description": "Every error answer: a short machine code and a sentence for people.",
            "properties": {
                "error": {"type": "string", "title": "Error"},
                "detail": {"type": "string", "title": "Detail"},
            },
            "required": ["error", "detail"],
        },
    )
    ref = {"$ref": "#/components/schemas/Problem"}
    as_json = {"application/json": {"schema": ref}}
    for operations in schema.get("paths", {}).values():
        for op in operations.values():
            responses = op.setdefault("responses", {})
            for answer in responses.values():
                # a Problem is JSON even on a route whose pages are HTML
                content = answer.get("content", {})
                if any(c.get("schema") == ref for c in content.values()):
                    answer["content"] = dict(as_json)
            answer = responses.get("422")
            if answer is not None:
                answer["content"] = dict(as_json)
                if answer.get("description") == "Validation Error":
                    answer["description"] = "a value out of bounds or malformed; nothing changed"
            if "requestBody" in op:
                responses.setdefault(
                    "400", {"description": "a body that is not JSON", "content": dict(as_json)}
                )
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
