"""Tokens that die on Strava's clock while ours still calls them valid.

Our clock and Strava's disagree (skew, or a pass that outlives its token), so an access token we
believe valid is refused, and even a freshly refreshed one may die before it is used. Each 401
gets a new token; the refresh working proves the authorization is alive, so a webhook event is
never dropped and the athlete is never stopped for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from stravasync.clock import VirtualClock, to_epoch
from stravasync.lab import Lab
from stravasync.store.mirror import activities as acts
from stravasync.store.pending import inbox
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import webhook_events
from stravasync.sync.factory import build_engine
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 7, tzinfo=UTC)
HOUR = 3600.0


class StravaRunsAhead:
    """Right after each of the first ``leaps`` refreshes, Strava's clock jumps ``hours``."""

    def __init__(self, lab: Lab, *, leaps: int, hours: float = 7) -> None:
        self.lab = lab
        self.leaps = leaps
        self.hours = hours
        self.refreshes = 0

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        if not request.url.path.endswith("/oauth/token") or response.status_code != 200:
            return
        if parse_qs(request.content.decode()).get("grant_type") != ["refresh_token"]:
            return
        self.refreshes += 1
        if self.refreshes <= self.leaps:
            self.lab.clock.advance(self.hours * HOUR)


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Iterator[Lab]:
    lab = quiet_lab(db_url, tmp_path, start=START, seed=11, athletes=3, history_days=30)
    # the engine keeps its own clock: Strava's moves on without it
    lab.engine = build_engine(lab.settings, lab.db, VirtualClock(START), http=lab.http)
    try:
        yield lab
    finally:
        lab.close()


def _status(lab: Lab, athlete_id: int) -> str:
    with lab.db.engine.connect() as conn:
        row = athletes_q.get_athlete(conn, athlete_id)
    assert row is not None
    return str(row["status"])


def test_a_pass_survives_a_refreshed_token_dying_at_once(lab: Lab) -> None:
    athlete_id = lab.sim.athlete_ids()[0]
    lab.connect(athlete_id)
    lab.clock.advance(7 * HOUR)
    leaps = StravaRunsAhead(lab, leaps=1)
    lab.http.event_hooks["response"].append(leaps)

    report = lab.run_until_idle()

    assert _status(lab, athlete_id) == "active"
    assert leaps.refreshes == 2  # the first fresh token died at once; the second one held
    assert report.synced >= 1 and report.failed == 0
    truth = {int(a["id"]) for a in lab.sim.truth(athlete_id, "activity:read_all")}
    with lab.db.engine.connect() as conn:
        mirrored = set(acts.live_summaries(conn, athlete_id))
    assert mirrored and mirrored <= truth


def test_a_create_event_is_not_dropped_when_the_fresh_token_dies(lab: Lab) -> None:
    athletes = lab.sim.athlete_ids()
    for athlete_id in athletes:
        lab.connect(athlete_id)
    lab.run_until_idle()  # backfilled with valid tokens
    lab.clock.advance(23 * HOUR)
    with lab.db.engine.connect() as conn:
        new = [
            (a, int(t["id"]))
            for a in athletes
            for t in lab.sim.truth(a, "activity:read_all")
            if int(t["id"]) not in acts.live_summaries(conn, a)
        ]
    assert new, "the world created no activity in 23 hours"
    athlete_id, activity_id = new[0]
    now = lab.engine.clock.now()
    with lab.db.transaction() as conn:
        inbox.insert_event(
            conn,
            inbox.InboxEvent(
                object_type="activity",
                object_id=activity_id,
                aspect_type="create",
                owner_id=athlete_id,
                subscription_id=1,
                event_time=to_epoch(now),
                updates={},
            ),
            now=now,
        )
    leaps = StravaRunsAhead(lab, leaps=1)
    lab.http.event_hooks["response"].append(leaps)

    lab.run_until_idle()

    with lab.db.engine.connect() as conn:
        state = conn.execute(webhook_events.select()).mappings().one()
        mirrored = acts.live_summaries(conn, athlete_id)
    assert (state["state"], state["last_error"]) == ("done", None)
    assert activity_id in mirrored
    assert _status(lab, athlete_id) == "active"
    assert leaps.refreshes == 2
