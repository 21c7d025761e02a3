"""The dashboard in a real headless Chromium (Debian's ``chromium`` package, driven by Playwright).

Without ``/usr/bin/chromium`` the test skips, unless ``STRAVASYNC_TEST_REQUIRE_BROWSER=1`` (CI),
when it fails.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from stravasync.config import load_settings
from stravasync.store import Database, migrate
from stravasync.store.pending import sessions as session_q
from stravasync.store.pending.syncstate import scheduler_paused
from stravasync.store.schema import notifications
from stravasync.web.app import create_app
from tests.e2e.web_helpers import seed_demo, serve_in_thread

CHROMIUM = os.environ.get("STRAVASYNC_TEST_CHROMIUM", "/usr/bin/chromium")
ADMIN = "dash-admin-token-3c9"
pytestmark = pytest.mark.browser


def _chromium_or_fail() -> str:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return CHROMIUM
    message = f"headless Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("STRAVASYNC_TEST_REQUIRE_BROWSER", "") not in ("", "0", "false"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    url = f"sqlite:///{tmp_path / 'dash.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    seed_demo(db, datetime.now(UTC).replace(microsecond=0))
    app = create_app(load_settings(database_url=url, admin_token=ADMIN), db)
    with serve_in_thread(app) as base:
        yield base, db
    db.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    exe = _chromium_or_fail()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=exe,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def test_dashboard_renders_and_acts(
    site: tuple[str, Database], browser: Any, tmp_path: Path
) -> None:
    base, db = site
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a CSP violation (an inline script or style the policy blocks) is a console error
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    page.goto(base + "/admin")
    assert page.url.endswith("/admin/login")
    page.fill("#token", "wrong")
    page.click("button[type=submit]")
    assert "Wrong token" in page.inner_text("body")
    page.fill("#token", ADMIN)
    page.click("button[type=submit]")
    page.wait_for_selector("#athletes")
    assert page.url.endswith("/admin")

    rows = page.locator("#athletes tbody tr")
    assert rows.count() == 3
    assert "Ada Tester" in rows.nth(0).inner_text()
    assert "12 min ago" in rows.nth(0).inner_text()
    assert "dead letter" in rows.nth(2).inner_text()
    assert page.locator("#quota .gauge").count() == 4
    assert page.locator("#quota figure.chart-box canvas").count() == 4  # Chart.js draws them
    # the text alternative: 24 h of 15-min windows, one table row each
    assert page.locator("#quota-chart-1 details tbody tr").count() >= 94
    assert "page 5: 30 activities" in page.inner_text("#log")

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    img = Image.open(shot).convert("RGB")
    assert img.width >= 1200 and img.height >= 800
    colors = img.getcolors(maxcolors=1 << 20) or []
    assert len(colors) > 50  # not a blank page
    orange = sum(n for n, (r, g, b) in colors if r > 230 and 60 < g < 110 and b < 40)
    assert orange > 500  # the quota bars drew (Strava orange)
    if os.environ.get("STRAVASYNC_DASHBOARD_SHOT"):
        shutil.copy(shot, os.environ["STRAVASYNC_DASHBOARD_SHOT"])

    # live log: a line written by a worker shows up without a reload (SSE)
    with db.transaction() as conn:
        sid = session_q.start_session(
            conn, athlete_id=102, mode="backfill", trigger="admin", now=datetime.now(UTC)
        )
        session_q.add_log(
            conn,
            sid,
            level="INFO",
            message="live line from the engine",
            now=datetime.now(UTC),
            athlete_id=102,
        )
    # (a locator, not wait_for_function: the page's CSP forbids the eval that would need)
    page.locator("#log", has_text="live line from the engine").wait_for(timeout=10_000)

    # re-queue the dead notification, pause the scheduler
    # (wait for the POST's answer itself: "networkidle" may already have fired before the click)
    with page.expect_response(lambda r: r.url.endswith("/requeue")) as answer:
        page.locator("#dead-letters button.requeue").last.click()
    assert answer.value.status == 200  # the session POST carried its CSRF token
    with db.engine.connect() as conn:
        assert conn.execute(select(notifications.c.state)).scalar_one() == "pending"
    page.wait_for_selector("#pause")
    page.click("#pause")  # asks first: the dialog's Confirm pauses
    page.click("#confirm-ok")
    page.wait_for_selector("#resume", timeout=10_000)
    with db.engine.connect() as conn:
        assert scheduler_paused(conn) is True
    assert "scheduler paused" in page.inner_text("#scheduler-state")

    # athlete page with the monthly distance chart
    page.click("text=Ada Tester")
    page.wait_for_selector("#monthly canvas")
    months = page.locator("#monthly details tbody tr td:first-child").all_text_contents()
    assert len(months) >= 12
    assert all(len(m.split()) == 2 and m.split()[1].isdigit() for m in months)  # "Nov 2026"
    page.screenshot(path=str(tmp_path / "athlete.png"), full_page=True)
    if os.environ.get("STRAVASYNC_DASHBOARD_SHOT"):
        shutil.copy(
            tmp_path / "athlete.png", os.environ["STRAVASYNC_DASHBOARD_SHOT"] + ".athlete.png"
        )
    assert errors == []

    # signing out ends the session: the dashboard sends the browser back to the login form
    page.goto(base + "/admin")
    page.click("text=Sign out")
    page.wait_for_url("**/admin/login")
    page.goto(base + "/admin")
    assert page.url.endswith("/admin/login")
    assert errors == []


def test_dashboard_banner_for_an_app_level_state(tmp_path: Path, browser: Any) -> None:
    """A suspended application shows as a banner with Strava's reason, the probe schedule and
    a "Probe now" button; the athlete count reads connected / capacity."""
    from datetime import timedelta

    from stravasync.store.operator import appstate as appstate_q

    url = f"sqlite:///{tmp_path / 'dash.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    now = datetime.now(UTC).replace(microsecond=0)
    seed_demo(db, now)
    app = create_app(load_settings(database_url=url, admin_token=ADMIN, athlete_capacity=10), db)
    with serve_in_thread(app) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/admin/login")
        page.fill("#token", ADMIN)
        page.click("button[type=submit]")
        page.wait_for_selector("#athletes")
        assert page.locator("#app-state").count() == 0  # no banner while Strava accepts us
        assert page.inner_text("#athlete-count") == "3 connected / 10 capacity"

        with db.transaction() as conn:
            appstate_q.enter(
                conn,
                condition="application_inactive",
                reason="Strava answers 403 for this application (inactive: check the API "
                "subscription and the application on strava.com/settings/api)",
                next_probe_at=now + timedelta(minutes=15),
                now=now - timedelta(minutes=40),
            )
        page.reload()
        banner = page.locator("#app-state")
        banner.wait_for()
        text = banner.inner_text()
        assert "Strava application suspended: nothing is sent to Strava." in text
        assert "strava.com/settings/api" in text and "application_inactive" in text
        shot = tmp_path / "banner.png"
        page.screenshot(path=str(shot), full_page=False)
        img = Image.open(shot).convert("RGB")
        colors = img.getcolors(maxcolors=1 << 20) or []
        # the banner's pale red background (#fee2e2) covers a real area at the top
        red = sum(n for n, (r, g, b) in colors if r > 250 and 220 < g < 232 and 220 < b < 232)
        assert red > 20_000, red
        if os.environ.get("STRAVASYNC_DASHBOARD_SHOT"):
            shutil.copy(shot, os.environ["STRAVASYNC_DASHBOARD_SHOT"] + ".banner.png")

        page.click("#probe-now")
        # the button's POST may still be in flight when the page looks idle: wait for its effect
        deadline = time.monotonic() + 15
        while True:
            with db.engine.connect() as conn:
                state = appstate_q.get(conn)
            if state is None or state.next_probe_at <= datetime.now(UTC):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert state is not None and state.next_probe_at <= datetime.now(UTC)
        assert errors == []
    db.close()
