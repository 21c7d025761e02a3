"""The dashboard's "Exports" list (export and warehouse runs with their stage timings) in real
headless Chromium (issue 15 point 6)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from stravasync.config import load_settings
from stravasync.export.runs import record_run
from stravasync.store import Database, migrate
from stravasync.web.app import create_app
from tests.e2e.test_dashboard_browser import ADMIN, browser
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import START, add_athlete

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared

WAREHOUSE = {"query": 1.25, "views": 0.25, "write": 3.5}
PARQUET = {"query": 0.75, "write": 2.0}


@pytest.fixture
def export_site(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'exports.db'}"
    db = Database.open(url)
    migrate.ensure_at_head(db.engine)
    add_athlete(db, 77)
    runs = [
        ("export", "cli", "done", {"format": "parquet", "rows": {"activities": 812}}, PARQUET),
        (
            "warehouse",
            "schedule",
            "done",
            {"format": "duckdb", "rows": {"upserted": 40}},
            WAREHOUSE,
        ),
        ("warehouse", "cli", "failed", {"format": "duckdb", "error": "OSError: disk full"}, {}),
    ]
    for i, (mode, trigger, status, summary, stages) in enumerate(runs):
        at = START + timedelta(minutes=10 * i)
        seconds = sum(stages.values())
        record_run(
            db,
            mode=mode,
            trigger=trigger,
            status=status,
            started_at=at,
            finished_at=at + timedelta(seconds=seconds),
            summary={**summary, "seconds": seconds, "stage_seconds": stages},
        )
    app = create_app(load_settings(database_url=url, admin_token=ADMIN), db)
    with serve_in_thread(app) as base:
        yield base
    db.close()


def test_dashboard_lists_export_runs_with_their_stages(
    export_site: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(export_site + "/admin/login")
    page.fill("#token", ADMIN)
    page.click("button[type=submit]")
    page.goto(export_site + "/admin")
    section = page.locator("#exports")
    section.wait_for()
    rows = section.locator("tr.export-run")
    assert rows.count() == 3
    newest, warehouse, parquet = (rows.nth(i).inner_text() for i in range(3))  # newest first
    assert "failed" in newest and "disk full" in newest
    assert "schedule" in warehouse and "upserted 40" in warehouse
    for stage, seconds in WAREHOUSE.items():
        assert f"{stage} {seconds:.2f}" in warehouse, warehouse
    assert "parquet" in parquet and "query 0.75 · write 2.00" in parquet, parquet
    assert section.is_visible()
    shot = tmp_path / "exports.png"
    section.screenshot(path=str(shot))
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert shot.stat().st_size > 0
    if os.environ.get("STRAVASYNC_DASHBOARD_SHOT"):
        shutil.copy(shot, os.environ["STRAVASYNC_DASHBOARD_SHOT"] + ".exports.png")
        shutil.copy(tmp_path / "dashboard.png", os.environ["STRAVASYNC_DASHBOARD_SHOT"] + ".png")
    assert errors == []
