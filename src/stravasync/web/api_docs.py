"""The API's interactive documentation: Swagger UI at ``/docs`` and ReDoc at ``/redoc``.

FastAPI's own pages load their scripts from a CDN and start Swagger UI with an inline script;
the service's Content-Security-Policy (:mod:`stravasync.web.edge`) allows neither. These pages
use the copies vendored under ``static/vendor`` (``static/vendor/VENDOR.md``, refreshed by
``scripts/vendor-assets``) and start from ``static/api-docs.js``: no request leaves the
service. ``/docs`` keeps the policy of every other page; ``/redoc`` admits ReDoc's run-time
``<style>`` elements (a nonce per answer and two hashes) and its ``blob:`` search worker, and
``script-src`` stays ``'self'`` (docs/security.md).
"""

from __future__ import annotations

import secrets
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from stravasync.web.edge import policy_admitting

STATIC = "/admin/static"
SWAGGER_UI = f"{STATIC}/vendor/swagger-ui"
REDOC = f"{STATIC}/vendor/redoc"

# ReDoc's bundle writes two <style> elements as it loads, before it knows the nonce: their
# hashes (an empty one and its scrollbar CSS); the browser test fails if an upgrade changes them.
REDOC_LOAD_STYLES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]
# its search index runs in a worker it builds from a blob: URL (only a script the policy already
# admitted can make one)
REDOC_WORKERS = ["'self'", "blob:"]

templates = Jinja2Templates(directory=str(files("stravasync.web") / "templates"))
router = APIRouter(tags=["documentation"], include_in_schema=False)


def _page(
    request: Request, template: str, title: str, extra: dict[str, Any] | None = None
) -> Response:
    openapi_url = request.app.openapi_url or "/openapi.json"
    context: dict[str, Any] = (extra or {}) | {
        "title": title,
        "openapi_url": openapi_url,
        "static": STATIC,
        "swagger_ui": SWAGGER_UI,
        "redoc": REDOC,
    }
    return templates.TemplateResponse(request, template, context)


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> Response:
    return _page(request, "api_docs_swagger.html", f"{request.app.title} API · Swagger UI")


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> Response:
    nonce = secrets.token_urlsafe(18)  # a new one per answer
    page = _page(
        request,
        "api_docs_redoc.html",
        f"{request.app.title} API · ReDoc",
        {"style_nonce": nonce},
    )
    page.headers["Content-Security-Policy"] = policy_admitting(
        [f"'nonce-{nonce}'", *REDOC_LOAD_STYLES], REDOC_WORKERS
    )
    return page
