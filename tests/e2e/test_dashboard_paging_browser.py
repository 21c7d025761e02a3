"""The dashboard's athlete list with 5,000 athletes in real headless Chromium: pages, search."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from stravasync.config import load_settings
from stravasync.store import Database, migrate
from stravasync.web.app import create_app
from tests.e2e.test_dashboard_browser import ADMIN, browser
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.test_athlete_paging import BASE, N, fill

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared


@pytest.fixture
def crowded_site(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'crowd.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    fill(db)
    app = create_app(load_settings(database_url=url, admin_token=ADMIN), db)
    with serve_in_thread(app) as base:
        yield base
    db.close()


def test_dashboard_pages_and_searches_5000_athletes(
    crowded_site: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(crowded_site + "/admin/login")
    page.fill("#token", ADMIN)
    page.click("button[type=submit]")
    page.wait_for_selector("#athletes")
    rows = page.locator("#athletes tbody tr")
    assert rows.count() == 50
    assert page.inner_text("#athlete-matches") == f"{N} matches"
    assert rows.nth(0).get_attribute("data-athlete") == str(BASE)
    assert "Ann Smith0" in rows.nth(0).inner_text()

    page.click("#next-page")
    page.wait_for_selector("#first-page")
    assert rows.nth(0).get_attribute("data-athlete") == str(BASE + 50)

    page.fill("#athlete-search input[name=q]", "cara smith42")
    page.select_option("#athlete-search select[name=status]", "active")
    page.click("#athlete-search button[type=submit]")
    page.wait_for_selector("#athlete-matches:has-text('50 matches')")
    assert rows.count() == 50 and "Cara Smith42" in rows.nth(49).inner_text()
    assert page.locator("#next-page").count() == 0  # one page only
    assert page.input_value("#athlete-search input[name=q]") == "cara smith42"  # kept

    shot = tmp_path / "paging.png"
    page.screenshot(path=str(shot), full_page=False)
    img = Image.open(shot).convert("RGB")
    assert len(img.getcolors(maxcolors=1 << 20) or []) > 50  # not a blank page
    if os.environ.get("STRAVASYNC_DASHBOARD_SHOT"):
        shutil.copy(shot, os.environ["STRAVASYNC_DASHBOARD_SHOT"] + ".paging.png")

    page.fill("#athlete-search input[name=q]", str(BASE + 4321))
    page.select_option("#athlete-search select[name=status]", "")
    page.click("#athlete-search button[type=submit]")
    page.wait_for_selector("#athlete-matches:has-text('1 match')")
    assert rows.count() == 1 and rows.nth(0).get_attribute("data-athlete") == str(BASE + 4321)
    assert errors == []
