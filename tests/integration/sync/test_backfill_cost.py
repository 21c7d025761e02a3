"""A backfill costs one list request per page of history when the athlete granted
activity:read_all (a short page is the end); with activity:read only it pages to the empty page,
as Strava documents. The reconcile never takes that short cut: it is the proof of the end."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx

from stravasync.store.pending import syncstate
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 7, tzinfo=UTC)


def test_backfill_ends_at_a_short_page_only_with_read_all_and_reconcile_pages_to_the_end(
    db_url: str, tmp_path: Path
) -> None:
    lab = quiet_lab(db_url, tmp_path, start=START, seed=11, athletes=4, history_days=1100)
    try:
        full, _, _, public = lab.sim.athlete_ids()
        listed: list[int] = []

        def count(response: httpx.Response) -> None:
            if response.request.url.path.endswith("/athlete/activities"):
                listed.append(len(response.json()))

        lab.http.event_hooks["response"].append(count)
        calls: dict[int, list[int]] = {}
        for athlete, scope in ((full, "read,activity:read_all"), (public, "read,activity:read")):
            listed.clear()
            lab.connect(athlete, scope)
            lab.run_until_idle()
            calls[athlete] = list(listed)
        history = len(lab.sim.truth(full, "activity:read_all"))
        assert history > 400, history  # several pages
        # one request per page of history, the last one short: no empty page to end it
        assert len(calls[full]) == history // 200 + 1 and 0 < calls[full][-1] < 200
        assert all(n == 200 for n in calls[full][:-1])
        assert len(calls[public]) >= 2 and calls[public][-1] == 0  # to the empty page
        assert all(d.exact for d in lab.diff([full, public])), lab.diff([full, public])

        listed.clear()
        with lab.db.transaction() as conn:
            syncstate.request_mode(conn, full, "reconcile", lab.clock.now())
        lab.run_until_idle()
        assert listed[-1] == 0 and len(listed) == history // 200 + 2  # the proof: to the end
    finally:
        lab.close()
