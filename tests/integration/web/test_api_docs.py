"""/docs (Swagger UI) and /redoc (ReDoc): pages that reference only the service's own assets,
each of which answers with its content type, under the service's Content-Security-Policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stravasync.web.edge import CONTENT_SECURITY_POLICY
from tests.integration.web.conftest import sqlite_copy

CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Behaviour of the HTTP layer, not of storage: one backend is enough here."""
    return sqlite_copy(tmp_path, sqlite_template)


class References(HTMLParser):
    """Every URL a page makes the browser load: src, href and the spec URL its script reads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            self.attrs[name] = value
            if name in ("src", "href", "data-spec-url"):
                self.urls.append(value)


def references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_page_loads_only_the_services_own_assets(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://|//[a-z]", page.text)  # no other origin, not even a CDN
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    urls = references(page.text).urls
    assert "/openapi.json" in urls
    assert any(u.endswith(".js") for u in urls)
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        kind = CONTENT_TYPES[Path(url).suffix]
        assert asset.headers["content-type"].startswith(kind), (url, asset.headers)
        assert len(asset.content) > 0


def test_swagger_ui_keeps_the_strict_policy(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-frame-options"] == "DENY"
    assert "/admin/static/vendor/swagger-ui/swagger-ui-bundle.js" in references(page.text).urls


def test_redoc_admits_its_styles_by_a_fresh_nonce_and_no_inline_script(
    client: TestClient,
) -> None:
    nonces = []
    for _ in range(2):
        page = client.get("/redoc")
        policy = page.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        nonce = references(page.text).attrs["data-style-nonce"]
        assert len(nonce) >= 16
        assert f"'nonce-{nonce}'" in directives["style-src"].split()
        assert directives["worker-src"] == "'self' blob:"
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    # the relaxation is /redoc's alone
    assert client.get("/admin/login").headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_fastapis_cdn_pages_are_gone(client: TestClient) -> None:
    # FastAPI's own /docs would reference cdn.jsdelivr.net; its OAuth2 redirect page is not added
    assert "cdn.jsdelivr.net" not in client.get("/docs").text
    assert client.get("/docs/oauth2-redirect").status_code == 404
    assert "/docs" not in client.get("/openapi.json").json()["paths"]
