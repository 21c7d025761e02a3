"""Listing under ``after`` against the simulator, under both answers of Strava's uncertain order.

Strava does not document the order of GET /athlete/activities under ``after`` alone (client
libraries observed oldest first); with ``before`` too it lists newest first (recorded 2025). The
simulator's ``after_order`` setting gives either answer; the walk must mirror everything under
both, with several pages (per_page is 200: the athlete has a few hundred activities).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stravasync.clock import VirtualClock, to_epoch
from stravasync.simulator import SimConfig, Simulator
from stravasync.strava.client import StravaClient
from stravasync.strava.pagination import ForwardCursor, walk
from stravasync.strava.quota.budget import MemoryBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority

START = datetime(2026, 3, 10, 12, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize("after_order", ["oldest_first", "newest_first"])
def test_forward_walk_mirrors_everything_in_either_order(after_order: str) -> None:
    sim = Simulator(
        SimConfig(
            seed=5,
            athletes=2,
            history_days=200,
            heavy_fraction=1.0,  # 14-20 activities a week
            heavy_history_days=200,
            quota="unlimited",
            after_order=after_order,
        ),
        clock=VirtualClock(START),
    )
    athlete = max(sim.athlete_ids(), key=lambda a: len(sim.truth(a)))
    truth = sim.truth(athlete)
    assert len(truth) > 400  # three pages at least: the order matters
    client = StravaClient(
        base_url="http://sim.test",
        client_id=sim.client_id,
        client_secret=sim.client_secret,
        budget=MemoryBudget(Limits(10**6, 10**7, 10**6, 10**7), Policy(guard=0)),
        clock=sim.clock,
        http=sim.http_client(),
    )
    token = client.exchange_code(sim.grant(athlete, "read,activity:read_all")).access_token
    after = to_epoch(START) - 201 * 86400
    pages = list(walk(client, token, ForwardCursor(after), priority=Priority.INCREMENTAL))
    seen = [a.id for page, _ in pages for a in page.activities]
    assert set(seen) == {a["id"] for a in truth}
    assert len(pages) <= len(truth) // 200 + 2  # full pages plus the empty one, no re-walks
    first = [a.start_date for a in pages[0][0].activities]
    assert first == sorted(first, reverse=after_order == "newest_first")
