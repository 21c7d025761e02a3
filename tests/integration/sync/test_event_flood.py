"""A flood of forged webhook events costs what sync.event_reads allows, and no more: one listing
confirms an athlete's pending creates and updates together, what it did not show is ignored
(creates, updates) or waits for the next quarter hour (deletes of held activities), the
athletes' first unconfirmed reads and the later ones are bounded by two pools, and a real edit
made during the flood still reaches the mirror at the athlete's next listing. Processed and
ignored events are pruned by the daily ``prune_logs`` job after the retention.

Simulator, receiver and engine in one process in virtual time (``Lab``), on SQLite and
PostgreSQL; the requests are counted by the simulator, where Strava counts them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from stravasync.lab import Lab
from stravasync.store.schema import activities, activity_details, scheduler_jobs, webhook_events
from stravasync.sync.planning.event_reads import EventReadLimits, worst_case_quarter
from tests.integration.sync.labs import quiet_lab
from tests.integration.sync.test_event_confirmation import (
    GET_ACTIVITY,
    live_ids,
    post,
    requests,
    spent,
)

START = datetime(2026, 4, 6, 9, 2, tzinfo=UTC)  # early in a quarter hour: bursts fit in it
LIST = "GET /api/v3/athlete/activities"
FAKE = 9_000_000_000  # activity ids Strava never gave out


def flood_lab(db_url: str, tmp_path: Path, **overrides: Any) -> Lab:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=23,
        athletes=3,
        history_days=40,
        webhooks=True,
        # the default quota: each pool of the flood's share is 10 reads a quarter hour
        overrides={"sync_enrich": False, "rate_tier": "default", **overrides},
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    lab.run_until_idle()
    assert all(d.exact for d in lab.diff())
    return lab


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Iterator[Lab]:
    lab = flood_lab(db_url, tmp_path)
    yield lab
    lab.close()


def forge(lab: Lab, athlete_id: int, n: int, *, first: int = 0, aspect: str = "create") -> None:
    for i in range(first, first + n):
        post(lab, object_type="activity", object_id=FAKE + i, owner_id=athlete_id,
             aspect_type=aspect, event_time=1_780_000_000 + i)  # fmt: skip


def events(lab: Lab, **where: Any) -> list[dict[str, Any]]:
    stmt = select(webhook_events).order_by(webhook_events.c.id)
    for column, value in where.items():
        stmt = stmt.where(webhook_events.c[column] == value)
    with lab.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def reads(before: dict[str, dict[str, int]], lab: Lab) -> int:
    return sum(n for k, n in spent(before, requests(lab)).items() if k.startswith("GET "))


def test_a_flood_for_one_athlete_costs_one_listing(lab: Lab) -> None:
    victim = lab.sim.athlete_ids()[0]
    before = requests(lab)
    forge(lab, victim, 60)
    lab.run_until_idle()
    # none of the 60 was shown, so none is worth a GET of its own: the listing's word stands
    assert spent(before, requests(lab)) == {f"{LIST} 200": 1}
    flood = events(lab, owner_id=victim)
    assert [e["state"] for e in flood] == ["ignored"] * 60
    assert all(e["updates_json"] is None for e in flood)  # ignored: kept without a body
    assert sum(e["unconfirmed_listings"] + e["unconfirmed_reads"] for e in flood) == 1
    # the same flood a second later costs nothing now: its events wait for the athlete's next
    # listing, which is the only read it buys
    lab.clock.advance(1)
    before = requests(lab)
    forge(lab, victim, 60, first=100)
    lab.run_until_idle()
    assert spent(before, requests(lab)) == {}
    lab.advance(45, step=15)
    assert spent(before, requests(lab)) == {f"{LIST} 200": 1}
    assert {e["state"] for e in events(lab, owner_id=victim)} == {"ignored"}


def test_a_lone_event_of_a_quiet_athlete_is_one_get_with_its_detail(lab: Lab) -> None:
    athlete_id = lab.sim.athlete_ids()[1]
    newest = max(live_ids(lab, athlete_id))
    assert lab.sim.edit_activity(newest, {"name": "Quiet edit"}, {"title": "Quiet edit"})
    before = requests(lab)
    lab.advance(10, step=5)
    assert spent(before, requests(lab)) == {f"{GET_ACTIVITY} 200": 1}
    with lab.db.engine.connect() as conn:
        name = conn.execute(select(activities.c.name).where(activities.c.id == newest)).scalar()
        detail = conn.execute(
            select(activity_details.c.detail_json).where(activity_details.c.activity_id == newest)
        ).scalar()
    assert name == "Quiet edit"
    assert detail is not None and detail["name"] == "Quiet edit"
    assert [(e["state"], e["unconfirmed_reads"]) for e in events(lab)] == [("done", 0)]


def test_a_flood_for_every_athlete_stops_at_the_pools_of_the_quarter_hour(
    db_url: str, tmp_path: Path
) -> None:
    """Every athlete flooded: one clean read each, then the suspects' pool (5 reads a quarter
    hour at a 5% share), then everything waits for the quarter hour."""
    lab = flood_lab(db_url, tmp_path, webhook_unconfirmed_share=0.05)
    try:
        ids = lab.sim.athlete_ids()
        before = requests(lab)
        for burst in range(6):  # six bursts, a listing interval apart, for each athlete
            for athlete_id in ids:
                forge(lab, athlete_id, 20, first=1000 * burst)
            lab.advance(31, step=31)
        assert lab.clock.now() < START.replace(minute=15)
        limits = EventReadLimits(share=0.05)
        assert reads(before, lab) == worst_case_quarter(limits, len(ids)) == 3 + 5
        waiting = [e for e in events(lab) if e["state"] == "pending"]
        assert waiting and all(e["due_at"] >= START.replace(minute=15) for e in waiting)
        assert all(d.exact for d in lab.diff())
    finally:
        lab.close()


def test_a_real_edit_during_a_flood_is_mirrored_at_the_next_listing(lab: Lab) -> None:
    victim = lab.sim.athlete_ids()[0]
    newest = max(live_ids(lab, victim))
    forge(lab, victim, 40)
    lab.run_until_idle()
    assert lab.sim.edit_activity(newest, {"name": "Real edit"}, {"title": "Real edit"})
    forge(lab, victim, 40, first=500)
    edited = lab.clock.now()
    lab.advance(40, step=5)  # the edit's event arrives with the world's next step
    with lab.db.engine.connect() as conn:
        name, updated = conn.execute(
            select(activities.c.name, activities.c.updated_at).where(activities.c.id == newest)
        ).one()
    assert name == "Real edit"
    assert updated - edited <= timedelta(seconds=35)  # the listing interval (30 s) and a step
    # the listing that confirmed it counts against nothing
    real = [e for e in events(lab, owner_id=victim, object_id=newest)]
    assert [(e["state"], e["unconfirmed_listings"]) for e in real] == [("done", 0)]


def test_forged_deletes_of_held_activities_wait_once_the_allowance_is_spent(lab: Lab) -> None:
    victim = lab.sim.athlete_ids()[0]
    held = live_ids(lab, victim)[:5]
    before = requests(lab)
    for act_id in held:
        post(lab, object_type="activity", object_id=act_id, owner_id=victim,
             aspect_type="delete")  # fmt: skip
    lab.run_until_idle()
    assert spent(before, requests(lab)) == {f"{GET_ACTIVITY} 200": 2}
    states = [(e["state"], e["due_at"]) for e in events(lab, owner_id=victim)]
    assert [s for s, _ in states] == ["done", "done", "pending", "pending", "pending"]
    assert all(due == START.replace(minute=15) for s, due in states if s == "pending")
    assert all(d.exact for d in lab.diff([victim]))


def test_processed_and_ignored_events_are_pruned_after_the_retention(lab: Lab) -> None:
    victim = lab.sim.athlete_ids()[0]
    forge(lab, victim, 3)
    post(lab, object_type="activity", object_id=FAKE, owner_id=424242, aspect_type="create")
    lab.run_until_idle()
    first = events(lab)[0]["id"]
    with lab.db.transaction() as conn:  # a dead one stays for the operator
        conn.execute(
            update(webhook_events).where(webhook_events.c.id == first).values(state="dead")
        )
    assert [e["state"] for e in events(lab)] == ["dead", "ignored", "ignored", "ignored"]

    def prune_at(when: datetime) -> None:
        lab.clock.set(when)
        with lab.db.transaction() as conn:
            conn.execute(update(scheduler_jobs).values(next_run_at=when))
        lab.run_until_idle()

    lab.clock.set(START + timedelta(days=1))
    forge(lab, victim, 1, first=60)  # processed a day later than the others
    lab.run_until_idle()
    prune_at(START + timedelta(days=6, hours=23))
    assert len(events(lab)) == 5  # the default retention is 7 days
    prune_at(START + timedelta(days=7, minutes=5))
    with lab.db.engine.connect() as conn:
        left = conn.execute(select(webhook_events.c.object_id, webhook_events.c.state)).all()
        jobs = conn.execute(select(scheduler_jobs.c.last_outcome)).scalars().all()
    assert sorted(left) == [(FAKE, "dead"), (FAKE + 60, "ignored")]
    assert any("3 webhook events" in (j or "") for j in jobs), jobs
    with lab.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(webhook_events)).scalar() == 2
