"""Every dashboard page in real headless Chromium, at desktop and phone width (390 px): no
sideways scrolling, no serious or critical axe-core finding, no CSP violation, no request
leaving the service. With the overview's webhook state, the scheduler's cron expressions, a
deauthorized athlete's purge date (and no "Sync now" for them), the 404 page, and the confirm
step before Block, Full backfill and Pause.

Screenshots go to pytest's tmp directory (under /tmp), or to ``STRAVASYNC_DASHBOARD_SHOTS``
(a directory) when set, to be looked at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from stravasync.config import load_settings
from stravasync.store import Database, migrate
from stravasync.store.operator import admin as admin_q
from stravasync.store.pending import inbox as inbox_q
from stravasync.store.people import athletes as athlete_q
from stravasync.store.schema import scheduler_jobs, sync_state
from stravasync.sync.settings import WEBHOOK_CALLBACK_KEY, WEBHOOK_SUBSCRIPTION_KEY
from tests.e2e.browser_checks import (
    DESKTOP,
    PHONE,
    PageWatch,
    assert_accessible,
    assert_fits_width,
    screenshot,
)
from tests.e2e.test_dashboard_browser import ADMIN, browser
from tests.e2e.web_helpers import seed_demo, serve_in_thread

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared

NOW = datetime.now(UTC).replace(microsecond=0)
PURGE_AT = NOW + timedelta(days=2, hours=3)
CALLBACK = "https://sync.example.org/webhooks/strava"
CRON = "30 3 * * 1"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    from stravasync.web.app import create_app

    url = f"sqlite:///{tmp_path / 'pages.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    seed_demo(db, NOW)
    with db.transaction() as conn:
        athlete_q.set_status(conn, 102, "deauthorized", reason="revoked on Strava", now=NOW)
        athlete_q.set_purge_after(conn, 102, PURGE_AT, now=NOW)
        admin_q.put_setting(conn, WEBHOOK_SUBSCRIPTION_KEY, 4242, now=NOW)
        admin_q.put_setting(conn, WEBHOOK_CALLBACK_KEY, CALLBACK, now=NOW)
        event = inbox_q.InboxEvent("activity", 5001, "update", 101, 4242, 1, {"title": "x"})
        inbox_q.insert_event(conn, event, now=NOW - timedelta(minutes=7))
        conn.execute(
            scheduler_jobs.insert().values(
                name="warehouse_refresh",
                interval_s=604800,
                schedule=CRON,
                next_run_at=NOW + timedelta(days=3),
            )
        )
    app = create_app(load_settings(database_url=url, admin_token=ADMIN), db)
    with serve_in_thread(app) as base:
        yield base, db
    db.close()


def _shots_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("STRAVASYNC_DASHBOARD_SHOTS") or tmp_path)


def _sign_in(page: Any, base: str) -> None:
    page.goto(base + "/admin/login")
    assert_accessible(page)
    page.fill("#token", ADMIN)
    page.click("button[type=submit]")
    page.wait_for_selector("#athletes")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_dashboard_page_fits_reads_and_stays_home(
    site: tuple[str, Database], browser: Any, tmp_path: Path, viewport: dict[str, int]
) -> None:
    base, _ = site
    width = viewport["width"]
    page = browser.new_page(viewport=viewport)
    watch = PageWatch(page, base)
    shots = _shots_dir(tmp_path)
    _sign_in(page, base)

    def check(name: str) -> None:
        screenshot(page, shots / f"dashboard-{name}-{width}.png")
        assert_fits_width(page, width)
        assert_accessible(page)

    # the overview: webhook state, quota charts with axes, the scheduler's cron and next run
    page.goto(base + "/admin")
    page.wait_for_selector("#quota canvas")
    check("overview")
    hook = page.inner_text("#webhook-state")
    assert "subscribed" in hook and "4242" in hook and CALLBACK in hook
    last = (NOW - timedelta(minutes=7)).strftime("%Y-%m-%d %H:%M")
    assert page.inner_text("#webhook-last-event") == f"{last} UTC"
    job = page.locator('#scheduler-jobs tr[data-job="warehouse_refresh"]')
    assert job.locator("code.cron").inner_text() == CRON
    next_run = (NOW + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert job.locator(".next-run").inner_text() == next_run
    assert "every 3600 s" in page.inner_text('#scheduler-jobs tr[data-job="prune_logs"]')
    # the quota charts carry their axes' titles and a text alternative
    spec = page.locator("#quota-chart-1 script.chart-data").text_content() or ""
    assert '"x_title": "window start (UTC)"' in spec or '"x_title":"window start (UTC)"' in spec
    label = page.locator("#quota-chart-1 canvas").get_attribute("aria-label") or ""
    assert "requests per 15 minutes" in label and "peak" in label
    # a deauthorized athlete: the purge date, no "Sync now"
    gone = page.locator('#athletes tr[data-athlete="102"]')
    assert PURGE_AT.strftime("%Y-%m-%d %H:%M") in gone.inner_text()
    assert gone.locator("button").count() == 0
    assert page.locator('#athletes tr[data-athlete="101"] button').inner_text() == "Sync now"

    # an athlete's page: the monthly chart with readable month labels and units
    page.goto(base + "/admin/athletes/101")
    page.wait_for_selector("#monthly canvas")
    check("athlete")
    months = page.locator("#monthly-chart tbody td:first-child").all_text_contents()
    assert (NOW - timedelta(days=1)).strftime("%b %Y") in months  # the newest ride's month
    assert "km" in (page.locator("#monthly-chart canvas").get_attribute("aria-label") or "")

    page.goto(base + "/admin/athletes/102")
    check("deauthorized")
    assert PURGE_AT.strftime("%Y-%m-%d %H:%M") in page.inner_text("#purge-date")
    assert page.locator("#sync-now").count() == 0

    # unknown athlete, unknown page: a 404 page in the site's layout, not JSON
    for path in ("/admin/athletes/999", "/admin/no-such-page"):
        answer = page.goto(base + path)
        assert answer is not None and answer.status == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert page.inner_text("h1") == "Not found"
        check("404" + path.replace("/", "-"))

    watch.assert_clean()


def test_block_backfill_and_pause_ask_first(site: tuple[str, Database], browser: Any) -> None:
    base, db = site
    page = browser.new_page(viewport=DESKTOP)
    watch = PageWatch(page, base)
    _sign_in(page, base)
    page.goto(base + "/admin/athletes/101")

    def status() -> str:
        with db.engine.connect() as conn:
            row = athlete_q.get_athlete(conn, 101)
        assert row is not None
        return str(row["status"])

    def requested() -> str | None:
        with db.engine.connect() as conn:
            q = sync_state.select().where(sync_state.c.athlete_id == 101)
            return conn.execute(q).mappings().one()["requested_mode"]  # type: ignore[no-any-return]

    page.click("#block")
    dialog = page.locator("dialog#confirm")
    assert dialog.is_visible()
    assert "Block Ada Tester?" in dialog.inner_text()
    assert_accessible(page)  # the open dialog too
    page.click("#confirm-cancel")
    assert not dialog.is_visible()
    assert status() == "active"

    page.click("#full-backfill")
    page.keyboard.press("Escape")  # closes the dialog as Cancel does
    assert not dialog.is_visible()
    assert requested() is None  # cancelled: nothing asked of the engine

    with page.expect_response(lambda r: r.url.endswith("/block")) as answer:
        page.click("#block")
        page.click("#confirm-ok")
    assert answer.value.status == 200
    assert status() == "blocked"
    page.wait_for_selector("#unblock")  # the page reloads with the new state

    # the JSON APIs keep answering JSON, page paths too for an API client
    for path in ("/api/admin/athletes/999", "/admin/athletes/999"):
        resp = httpx.get(base + path, headers={"Authorization": f"Bearer {ADMIN}", "Accept": "*/*"})
        assert resp.status_code == 404
        assert resp.json()["error"] == "not_found"
    watch.assert_clean()
