"""/docs (Swagger UI) and /redoc (ReDoc) in real headless Chromium: the operation list renders
from the service's own assets, under its Content-Security-Policy, with no request elsewhere."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

from stravasync.config import load_settings
from stravasync.store import Database, migrate
from stravasync.web.app import create_app
from tests.e2e.test_dashboard_browser import ADMIN, browser
from tests.e2e.web_helpers import serve_in_thread

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'docs.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    app = create_app(load_settings(database_url=url, admin_token=ADMIN), db)
    with serve_in_thread(app) as base:
        yield base
    db.close()


@pytest.mark.parametrize(
    ("path", "operation", "expect"),
    [
        # Swagger UI: one .opblock per operation, its path in .opblock-summary-path
        ("/docs", ".opblock", '.opblock-summary-path:has-text("/api/admin/athletes")'),
        # ReDoc: the side menu's operation entries; each operation's heading in the body
        ("/redoc", "li[data-item-id*='/operation/']", 'h2:has-text("Athletes with sync state")'),
    ],
)
def test_api_docs_render_from_local_assets(
    site: str, browser: Any, tmp_path: Path, path: str, operation: str, expect: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a CSP violation (a blocked script, style, image or worker) is a console error
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))

    page.goto(site + path)
    page.wait_for_selector(operation, state="attached", timeout=20_000)
    count = page.locator(operation).count()
    assert count >= 20, count  # the whole API, not a stub
    page.locator(expect).first.wait_for(timeout=5_000)
    page.wait_for_load_state("networkidle")

    assert errors == []
    own = urlsplit(site).netloc
    elsewhere = [
        u for u in requested if not u.startswith(("blob:", "data:")) and urlsplit(u).netloc != own
    ]
    assert elsewhere == []
    assert any(u.endswith("/openapi.json") for u in requested)

    shot = tmp_path / f"{path.strip('/')}.png"
    page.screenshot(path=str(shot))
    colors = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colors) > 50  # not a blank page

    # a phone: 390 px wide without sideways scrolling
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    phone = tmp_path / f"{path.strip('/')}-390.png"
    page.screenshot(path=str(phone))
    assert errors == []
    if os.environ.get("STRAVASYNC_API_DOCS_SHOT_DIR"):
        for taken in (shot, phone):
            shutil.copy(taken, Path(os.environ["STRAVASYNC_API_DOCS_SHOT_DIR"]) / taken.name)


def test_swagger_ui_tries_a_call_and_redoc_searches(site: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # Swagger UI's "Try it out" calls the service itself (connect-src 'self')
    page.goto(site + "/docs")
    block = page.locator(".opblock").filter(has_text="/healthz").first
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for(timeout=10_000)
    assert status.inner_text().strip() == "200"
    assert '"ok"' in block.locator(".live-responses-table .microlight").first.inner_text()

    # ReDoc's search runs in its blob: worker (worker-src on /redoc only)
    page.goto(site + "/redoc")
    page.wait_for_selector("li[data-item-id*='/operation/']", state="attached", timeout=20_000)
    page.fill("input[role=search], input[placeholder^=Search]", "dead letter")
    results = page.locator("[data-role='search:results'] li, .search-results li")
    results.first.wait_for(timeout=10_000)
    assert results.count() >= 1
    assert errors == []
