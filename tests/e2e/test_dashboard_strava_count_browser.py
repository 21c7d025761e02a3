"""The athlete page shows Strava's count beside the mirrored one, in headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from stravasync.config import load_settings
from stravasync.store import Database, migrate
from stravasync.store.schema import sync_state
from stravasync.web.app import create_app
from tests.e2e.test_dashboard_browser import ADMIN, browser
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import START, activity, add_activities, add_athlete

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared


@pytest.fixture
def counted_site(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'counted.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    add_athlete(db, 77)
    add_activities(db, 77, [activity(i, days_ago=i) for i in range(1, 4)])
    with db.transaction() as conn:
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == 77)
            .values(strava_count=2, strava_count_at=START)
        )
    app = create_app(load_settings(database_url=url, admin_token=ADMIN), db)
    with serve_in_thread(app) as base:
        yield base
    db.close()


def test_athlete_page_shows_strava_s_count_beside_the_mirror_s(
    counted_site: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(counted_site + "/admin/login")
    page.fill("#token", ADMIN)
    page.click("button[type=submit]")
    page.goto(counted_site + "/admin/athletes/77")
    count = page.locator(".strava-count").first
    count.wait_for()
    assert count.is_visible() and count.inner_text() == "≥ 2 on Strava (rides, runs, swims)"
    line = page.locator("section.card p").first.inner_text()
    assert "3 activities mirrored / ≥ 2 on Strava (rides, runs, swims)" in line, line
    shot = tmp_path / "strava-count.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    if os.environ.get("STRAVASYNC_DASHBOARD_SHOT"):
        shutil.copy(shot, os.environ["STRAVASYNC_DASHBOARD_SHOT"] + ".strava-count.png")
    assert errors == []
