"""The athlete page's per-stage timings in real headless Chromium (issue 15 point 6)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stravasync.config import load_settings
from stravasync.store import Database, migrate
from stravasync.store.pending import sessions as session_q
from stravasync.web.app import create_app
from tests.e2e.test_dashboard_browser import ADMIN, browser
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import START, add_athlete

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared

STAGES = {"listing": 1.25, "detail": 3.5, "store": 0.5, "stats": 0.125}


@pytest.fixture
def timed_site(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'stages.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    add_athlete(db, 77)
    with db.transaction() as conn:
        sid = session_q.start_session(
            conn, athlete_id=77, mode="backfill", trigger="cli", now=START
        )
        session_q.finish_session(
            conn,
            sid,
            status="synced",
            now=START,
            api_calls=9,
            summary={"stage_seconds": STAGES},
        )
    app = create_app(load_settings(database_url=url, admin_token=ADMIN), db)
    with serve_in_thread(app) as base:
        yield base
    db.close()


def test_athlete_page_shows_each_sessions_stages(
    timed_site: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(timed_site + "/admin/login")
    page.fill("#token", ADMIN)
    page.click("button[type=submit]")
    page.goto(timed_site + "/admin/athletes/77")
    cell = page.locator("td.stages").first
    cell.wait_for()
    text = cell.inner_text()
    for stage, seconds in STAGES.items():
        assert f"{stage} {seconds:.2f}" in text, text
    assert cell.is_visible()
    shot = tmp_path / "stages.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    if os.environ.get("STRAVASYNC_DASHBOARD_SHOT"):
        shutil.copy(shot, os.environ["STRAVASYNC_DASHBOARD_SHOT"] + ".stages.png")
    assert errors == []
