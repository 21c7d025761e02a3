"""A refresh (the recent-window safety net) costs one list request when the athlete granted
activity:read_all; with activity:read only, short pages are expected and it pages to the empty
one, as Strava documents."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx

from stravasync.store.pending import syncstate
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 7, tzinfo=UTC)


def test_refresh_pages_to_the_end_only_when_private_activities_are_filtered(
    db_url: str, tmp_path: Path
) -> None:
    lab = quiet_lab(db_url, tmp_path, start=START, seed=11, athletes=4, history_days=30)
    try:
        full, _, _, public = lab.sim.athlete_ids()  # 13 activities; 17 with 2 private
        lab.connect(full, "read,activity:read_all")
        lab.connect(public, "read,activity:read")
        lab.run_until_idle()
        listed: list[int] = []

        def count(response: httpx.Response) -> None:
            if response.request.url.path.endswith("/athlete/activities"):
                listed.append(len(response.json()))

        lab.http.event_hooks["response"].append(count)
        calls: dict[int, list[int]] = {}
        for athlete in (full, public):
            listed.clear()
            with lab.db.transaction() as conn:
                syncstate.request_mode(conn, athlete, "refresh", lab.clock.now())
            lab.run_until_idle()
            calls[athlete] = list(listed)
        assert len(calls[full]) == 1 and 0 < calls[full][0] < 200  # one short page: done
        assert len(calls[public]) >= 2 and calls[public][-1] == 0  # to the empty page
        assert all(d.exact for d in lab.diff([full, public])), lab.diff([full, public])
    finally:
        lab.close()
