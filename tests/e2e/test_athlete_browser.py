"""The athlete's pages (/me) in real headless Chromium, at desktop width and at 390 px: every
page renders its map or charts from the service's own assets under its CSP (no violation, no
script error, no request elsewhere), has no serious or critical axe-core finding, and does not
scroll sideways on a phone. The controls work from the page (sync now with its progress, pause
and resume, the metric switch of the charts). Screenshots go to ``STRAVASYNC_ATHLETE_SHOTS``
(default: the test's tmp dir) for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import update

from stravasync.config import load_settings
from stravasync.store import Database, migrate
from stravasync.store.schema import athletes
from stravasync.web.app import create_app
from tests.e2e.test_dashboard_browser import browser
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.athlete_seed import B, Seeded, seed

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared
AXE_JS = Path(__file__).resolve().parents[1] / "data" / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
_RUN_AXE = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


@dataclass
class Watch:
    """Script errors, CSP violations (Chromium logs each naming the policy) and requests to
    any origin but the service's, from the page's creation on."""

    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", self._console)
        page.on("request", self._request)
        page.on("response", self._response)

    def _console(self, msg: Any) -> None:
        if "Content Security Policy" in msg.text:
            self.errors.append(msg.text)
        elif msg.type == "error" and "Failed to load resource" not in msg.text:
            self.errors.append(msg.text)  # (a failed load is judged by _response)

    def _response(self, resp: Any) -> None:
        if resp.status >= 400 and "/static/" in resp.url:  # the 404 page itself is expected
            self.errors.append(f"{resp.status} {resp.url}")

    def _request(self, req: Any) -> None:
        parts = urlsplit(req.url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin and parts.scheme not in (
            "data",
            "blob",
            "about",
        ):
            self.foreign.append(req.url)


def serious_axe_findings(page: Any) -> list[dict[str, Any]]:
    """axe-core, evaluated over CDP (a <script> element would itself break the CSP)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Database, Seeded]]:
    url = f"sqlite:///{tmp_path / 'me.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    seeded = seed(db, datetime.now(UTC).replace(microsecond=0), count=120)
    settings = load_settings(database_url=url, client_id="4711")
    with serve_in_thread(create_app(settings, db)) as base:
        yield base, db, seeded
    db.close()


def _pages(seeded: Seeded) -> dict[str, str]:
    return {
        "overview": "/me",
        "activities": "/me/activities",
        "activity": f"/me/activities/{seeded.a_acts[1]}",
        "heatmap": "/me/heatmap",
        "charts": "/me/charts",
        "missing": f"/me/activities/{seeded.b_acts[0]}",
        "signin": "/me/signin",
    }


def _settle(page: Any, name: str) -> None:
    """Wait for what the page's scripts draw."""
    if name in ("activity", "heatmap"):
        page.locator(
            ".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg path"
        ).first.wait_for()
    if name == "charts":
        page.wait_for_function("() => Chart.getChart('chart-yearly') !== undefined")


def test_every_me_page_in_chromium(
    site: tuple[str, Database, Seeded], browser: Any, tmp_path: Path
) -> None:
    base, _, seeded = site
    shots = Path(os.environ.get("STRAVASYNC_ATHLETE_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    host = urlsplit(base).hostname
    for label, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport)
        context.add_cookies(
            [{"name": "stravasync_me", "value": seeded.a_secret, "domain": host, "path": "/me"}]
        )
        page = context.new_page()
        watch = Watch(origin=base)
        watch.attach(page)
        for name, path in _pages(seeded).items():
            resp = page.goto(base + path)
            assert resp is not None
            assert resp.status == (404 if name == "missing" else 200), (name, resp.status)
            _settle(page, name)
            shot = shots / f"{label}-{name}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert serious_axe_findings(page) == [], (label, name)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport["width"], (label, name, width)
        assert watch.errors == [] and watch.foreign == [], (label, watch)
        context.close()

    # the charts and the route drew (not blank), checked on the desktop shots
    for name in ("charts", "activity", "heatmap"):
        img = Image.open(shots / f"desktop-{name}.png").convert("RGB")
        colors: list[Any] = img.getcolors(maxcolors=1 << 20) or []
        orange = sum(n for n, (r, g, b) in colors if r > 180 and 50 < g < 120 and b < 60)
        assert orange > 300, name  # the route's line, the rides' bars (orange)


def test_my_controls_from_the_page(site: tuple[str, Database, Seeded], browser: Any) -> None:
    base, db, seeded = site
    host = urlsplit(base).hostname
    context = browser.new_context(viewport=VIEWPORTS["desktop"], accept_downloads=True)
    context.add_cookies(
        [{"name": "stravasync_me", "value": seeded.a_secret, "domain": host, "path": "/me"}]
    )
    page = context.new_page()
    watch = Watch(origin=base)
    watch.attach(page)
    page.goto(base + "/me")
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename.startswith("stravasync-1001-")
    assert download.value.suggested_filename.endswith(".zip")
    page.click("#sync-now")
    page.wait_for_url(base + "/me")
    assert "Sync asked for" in page.inner_text("#sync-progress")
    page.click("#pause")
    page.wait_for_selector("#resume")
    assert page.inner_text("#auto") == "paused"
    page.click("#resume")
    page.wait_for_selector("#pause")
    # a refused confirmation leaves everything as it was
    page.once("dialog", lambda d: d.dismiss())
    page.click("#disconnect")
    assert page.url == base + "/me" and page.locator("#purge-date").count() == 0
    # the charts switch their metric and keep their axis titles
    page.goto(base + "/me/charts")
    page.wait_for_function("() => Chart.getChart('chart-monthly') !== undefined")
    page.check("input[name=metric][value=elevation]")
    title = page.evaluate("() => Chart.getChart('chart-monthly').options.scales.y.title.text")
    assert title == "Elevation gain (m)"
    x_title = page.evaluate("() => Chart.getChart('chart-monthly').options.scales.x.title.text")
    assert x_title == "Month"
    # a disconnected athlete sees the purge date
    with db.transaction() as conn:
        conn.execute(
            update(athletes)
            .where(athletes.c.id == B)
            .values(status="deauthorized", purge_after=datetime.now(UTC) + timedelta(days=7))
        )
    context.clear_cookies()
    context.add_cookies(
        [{"name": "stravasync_me", "value": seeded.b_secret, "domain": host, "path": "/me"}]
    )
    page.goto(base + "/me")
    assert "UTC" in page.inner_text("#purge-date")
    assert page.locator("#sync-now").count() == 0
    assert watch.errors == [] and watch.foreign == []
    context.close()
