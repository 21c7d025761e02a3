"""The Jinja2 environment every HTML page renders with (web/templates): the operator's
dashboard, the connect flow's pages and the athlete's pages share its layout and CSRF field."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from stravasync.web import session


def _csrf_context(request: Request) -> dict[str, Any]:
    """Every page carries the session's CSRF token (when there is a session) for its forms."""
    token = request.session.get(session.CSRF_FIELD) if "session" in request.scope else None
    return {"csrf": token or ""}


templates = Jinja2Templates(
    directory=str(files("stravasync.web") / "templates"), context_processors=[_csrf_context]
)
