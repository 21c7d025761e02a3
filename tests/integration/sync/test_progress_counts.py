"""The engine's progress hook against the simulator: its pages and activities are the real ones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx

from stravasync.sync.outcomes.progress import Progress
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 7, tzinfo=UTC)


def test_progress_callback_counts_every_listed_page_and_activity(
    db_url: str, tmp_path: Path
) -> None:
    lab = quiet_lab(db_url, tmp_path, start=START, seed=11, athletes=2, history_days=900)
    try:
        athlete = lab.sim.athlete_ids()[0]
        listed: list[int] = []

        def count(response: httpx.Response) -> None:
            if response.request.url.path.endswith("/athlete/activities"):
                listed.append(len(response.json()))

        lab.http.event_hooks["response"].append(count)
        lab.connect(athlete, "read,activity:read_all")
        seen: list[Progress] = []
        lab.engine.watch_progress(seen.append)
        lab.run_until_idle()
    finally:
        lab.close()
    assert len(listed) >= 2  # several pages
    assert [p.pages for p in seen] == list(range(1, len(listed) + 1))
    assert [p.activities for p in seen][-1] == sum(listed)
    assert all(p.athlete_id == athlete for p in seen)
    assert seen[-1].api_calls >= len(listed)  # list pages, plus any detail/stat request
    assert seen[-1].requests_left is not None and seen[-1].requests_left > 0
