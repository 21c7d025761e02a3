"""Details and streams under a budget that grants one read at a time (issue 24's Standard app):
a detail whose streams the budget refused is kept, and its streams come first next time.

Before, the detail fetched was dropped with the refusal: a budget paced to one read per pass
fetched the same detail over and over (2,644 reads for 77 details in the standard bench)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.store.schema import activities, activity_details, activity_streams

START = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)


def test_streams_refused_by_the_budget_do_not_cost_the_detail_again(
    db_url: str, tmp_path: Path
) -> None:
    lab = Lab(
        db_url=db_url,
        sim_config=SimConfig(
            seed=3,
            athletes=1,
            history_days=60,
            quota="1000,10000,100,1000",
            late_connect_fraction=0.0,
            heavy_fraction=0.0,
        ),
        start=START,
        work_dir=tmp_path,
        webhooks=False,
        overrides={
            "sync_enrich_streams": True,
            "sync_enrich_days": 36500,
            "rate_read_15min": 100,
            "rate_read_daily": 1000,
        },
    )
    gets: Counter[str] = Counter()

    def count(response: httpx.Response) -> None:
        path = response.request.url.path
        if "/activities/" in path and response.request.method == "GET":
            gets["streams" if path.endswith("/streams") else "detail"] += 1

    lab.http.event_hooks["response"].append(count)
    try:
        lab.connect_due()
        lab.advance(6 * 3600)
        with lab.db.engine.connect() as conn:
            live = conn.execute(
                select(func.count()).where(activities.c.deleted_at.is_(None))
            ).scalar_one()
            detailed = conn.execute(select(func.count()).select_from(activity_details)).scalar_one()
            whole = conn.execute(select(func.count()).select_from(activity_streams)).scalar_one()
        assert live > 10, gets
        assert detailed == live and whole == live  # every activity: its detail and its streams
        assert gets["streams"] == live
        assert gets["detail"] <= live + 2  # not one detail fetched twice for a refusal
    finally:
        lab.close()
