"""The athlete pages' templates (``web/templates/athlete``) and their small answers."""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from stravasync.web.athlete import views
from stravasync.web.edge import CONTENT_SECURITY_POLICY

templates = Jinja2Templates(directory=str(files("stravasync.web") / "templates"))
templates.env.filters["km"] = views.km
templates.env.filters["duration"] = views.duration
templates.env.filters["metres"] = views.metres
templates.env.filters["when"] = views.when
PAGE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "page"}}


def pages(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` of HTML answers: 200 and the given statuses (described by name
    ``s404="..."`` or generically)."""
    out: dict[int | str, dict[str, Any]] = dict(PAGE)
    for status in statuses:
        text = described.get(f"s{status}", "a page saying why")
        out[status] = {"content": {"text/html": {}}, "description": text}
    return out


HTML = pages(404, s404="unknown, or not this athlete's")


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(request, f"athlete/{name}", context, status_code=status)


def message(request: Request, status: int, title: str, text: str, **context: Any) -> Response:
    return page(request, "message.html", status, title=title, message=text, **context)


def not_found(request: Request, csrf: str) -> Response:
    """The same answer for an unknown id and for another athlete's."""
    text = "There is no such activity among yours."
    return message(request, 404, "Not found", text, csrf=csrf)


def tile_origin(url: str | None) -> str | None:
    """The origin a tile URL template loads images from (``{s}.`` becomes ``*.``)."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}.", "sub."))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    host = parts.netloc.replace("sub.", "*.", 1) if "{s}." in url else parts.netloc
    return f"{parts.scheme}://{host}"


def with_tiles(response: Response, tile_url: str | None) -> Response:
    """Widen the page's CSP ``img-src`` to the base-map's origin, and only that one."""
    origin = tile_origin(tile_url)
    if origin is not None:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:;", f"img-src 'self' data: {origin};", 1
        )
    return response
