"""Webhook events are hints: the engine acts on Strava's answer to the request an event prompts,
never on the event. Forged events (right subscription id, real athletes and activities) change
no row; real ones still act; each costs what the module docstring of sync.events says.

The simulator, the receiver and the engine run in one process in virtual time (``Lab``); the
events reach the receiver over HTTP (in-process transport), as the simulator's own do. Time does
not move between the event and the check, so every request counted is the event's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select

from stravasync.lab import Lab
from stravasync.simulator.transport import in_process_client
from stravasync.store.mirror import activities as acts
from stravasync.store.pending import outbox, syncstate
from stravasync.store.people import athletes as athletes_q
from stravasync.store.schema import activities, sync_state, webhook_events
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 4, 6, 9, 7, tzinfo=UTC)
GET_ACTIVITY = "GET /api/v3/activities/{id}"
TOKEN = "POST /oauth/token"
LIST = "GET /api/v3/athlete/activities"


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Iterator[Lab]:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=23,
        athletes=3,
        history_days=40,
        webhooks=True,
        overrides={"sync_enrich": False, "notify_url": "http://owner.test/hooks"},
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    lab.run_until_idle()
    assert all(d.exact for d in lab.diff())
    yield lab
    lab.close()


def subscription_id(lab: Lab) -> int:
    sub = lab.sim.webhooks.subscription
    assert sub is not None
    return int(sub.id)


def post(lab: Lab, **event: Any) -> None:
    body = {
        "aspect_type": "update",
        "updates": {},
        "subscription_id": subscription_id(lab),
        "event_time": int(lab.clock.now().timestamp()),
        **event,
    }
    with in_process_client(lab.web_app, "http://receiver.test") as client:
        resp = client.post("/webhooks/strava", json=body)
    assert (resp.status_code, resp.json()) == (200, {"status": "received"})


def requests(lab: Lab) -> dict[str, dict[str, int]]:
    return lab.sim.requests.by_endpoint()


def spent(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> dict[str, int]:
    """Requests made between two snapshots, as ``{"GET /x": {"200": n}}`` flattened."""
    out: dict[str, int] = {}
    for name, statuses in after.items():
        for status, n in statuses.items():
            d = n - before.get(name, {}).get(status, 0)
            if d:
                out[f"{name} {status}"] = d
    return out


def rows(lab: Lab) -> dict[int, tuple[Any, ...]]:
    """Every activity row's content (bookkeeping times left out: a GET confirms a row)."""
    with lab.db.engine.connect() as conn:
        result = conn.execute(
            select(
                activities.c.id,
                activities.c.athlete_id,
                activities.c.name,
                activities.c.summary_json,
                activities.c.deleted_at,
            )
        )
        return {r.id: tuple(r) for r in result}


def event_states(lab: Lab) -> list[str]:
    with lab.db.engine.connect() as conn:
        return list(
            conn.execute(select(webhook_events.c.state).order_by(webhook_events.c.id)).scalars()
        )


def status_of(lab: Lab, athlete_id: int) -> str:
    with lab.db.engine.connect() as conn:
        row = athletes_q.get_athlete(conn, athlete_id)
    assert row is not None
    return str(row["status"])


def athlete_notifications(lab: Lab) -> list[str]:
    with lab.db.engine.connect() as conn:
        rows = outbox.recent(conn, limit=10_000)
    return [r["event"] for r in rows if r["event"].startswith("athlete.")]


def parked(conn: Connection, athlete_id: int) -> bool:
    state = syncstate.get_state(conn, athlete_id)
    assert state is not None
    return bool(state["parked"])


def live_ids(lab: Lab, athlete_id: int) -> list[int]:
    with lab.db.engine.connect() as conn:
        return sorted(acts.live_summaries(conn, athlete_id))


def test_forged_deauthorization_costs_one_token_call_and_changes_nothing(lab: Lab) -> None:
    victim = lab.sim.athlete_ids()[0]
    before, stored = requests(lab), rows(lab)
    post(lab, object_type="athlete", object_id=victim, owner_id=victim,
         updates={"authorized": "false"})  # fmt: skip
    lab.run_until_idle()
    assert spent(before, requests(lab)) == {f"{TOKEN} 200": 1}
    assert status_of(lab, victim) == "active"
    assert athlete_notifications(lab) == []
    assert rows(lab) == stored
    assert event_states(lab) == ["ignored"]
    # the token the confirmation saved works: the athlete still syncs
    lab.advance(3 * 86400, step=3600)
    assert status_of(lab, victim) == "active"
    assert all(d.exact for d in lab.diff([victim]))


def test_real_deauthorization_is_confirmed_by_the_refused_refresh(lab: Lab) -> None:
    leaver, stayer = lab.sim.athlete_ids()[:2]
    before = requests(lab)
    lab.sim.deauthorize_athlete(leaver)  # tokens die, Strava sends the event
    lab.run_until_idle()
    assert spent(before, requests(lab)) == {f"{TOKEN} 400": 1}
    assert status_of(lab, leaver) == "deauthorized"
    assert status_of(lab, stayer) == "active"
    assert athlete_notifications(lab) == ["athlete.deauthorized"]
    with lab.db.engine.connect() as conn:  # out of the claim's indexes; the stayer is not
        assert [parked(conn, a) for a in (leaver, stayer)] == [True, False]
    # a second (forged or redelivered) event for a deauthorized athlete costs nothing
    before = requests(lab)
    post(lab, object_type="athlete", object_id=leaver, owner_id=leaver,
         updates={"authorized": "false"}, event_time=1)  # fmt: skip
    lab.run_until_idle()
    assert spent(before, requests(lab)) == {}


def test_forged_delete_and_title_are_checked_by_a_get_and_change_nothing(lab: Lab) -> None:
    athlete_id = lab.sim.athlete_ids()[0]
    target, other = live_ids(lab, athlete_id)[:2]
    before, stored = requests(lab), rows(lab)
    post(lab, object_type="activity", object_id=target, owner_id=athlete_id,
         aspect_type="delete")  # fmt: skip
    post(lab, object_type="activity", object_id=other, owner_id=athlete_id,
         updates={"title": "pwned"})  # fmt: skip
    lab.run_until_idle()
    assert spent(before, requests(lab)) == {f"{GET_ACTIVITY} 200": 2}
    assert rows(lab) == stored
    assert event_states(lab) == ["done", "done"]
    assert all(d.exact for d in lab.diff([athlete_id]))


def test_events_naming_another_athletes_activity_touch_nothing(lab: Lab) -> None:
    mine, theirs = lab.sim.athlete_ids()[:2]
    foreign = live_ids(lab, theirs)[0]
    before, stored = requests(lab), rows(lab)
    # a delete of an activity this athlete does not hold is not even fetched
    post(lab, object_type="activity", object_id=foreign, owner_id=mine, aspect_type="delete")
    post(lab, object_type="activity", object_id=10**15, owner_id=mine, aspect_type="delete")
    # a create and an update together: one listing with this athlete's token, which does not
    # show the activity; two events it did not show are not worth a GET each: both ignored
    post(lab, object_type="activity", object_id=foreign, owner_id=mine, aspect_type="create")
    post(lab, object_type="activity", object_id=foreign, owner_id=mine,
         updates={"private": "true"})  # fmt: skip
    lab.run_until_idle()
    assert spent(before, requests(lab)) == {f"{LIST} 200": 1}
    assert rows(lab) == stored
    assert event_states(lab) == ["ignored"] * 4
    # alone, the create is worth its GET after the listing (a late upload would be shown by it)
    lab.clock.advance(31)
    before = requests(lab)
    post(lab, object_type="activity", object_id=foreign, owner_id=mine, aspect_type="create")
    lab.run_until_idle()
    assert spent(before, requests(lab)) == {f"{LIST} 200": 1, f"{GET_ACTIVITY} 404": 1}
    assert rows(lab) == stored


def test_a_real_deletion_is_tombstoned_after_the_get_answers_404(lab: Lab) -> None:
    athlete_id = lab.sim.athlete_ids()[0]
    target = live_ids(lab, athlete_id)[0]
    assert lab.sim.delete_activity(target)
    lab.advance(60, step=60)
    assert target not in live_ids(lab, athlete_id)
    assert all(d.exact for d in lab.diff([athlete_id]))
    with lab.db.engine.connect() as conn:
        states = conn.execute(
            select(webhook_events.c.state).where(webhook_events.c.object_id == target)
        ).scalars()
        assert list(states) == ["done"]
    # the athlete's count agrees everywhere at once, not after the next listing (issue 25)
    with lab.db.engine.connect() as conn:
        counted = conn.execute(
            select(sync_state.c.activity_count).where(sync_state.c.athlete_id == athlete_id)
        ).scalar_one()
        listed = next(o for o in athletes_q.overview(conn) if o.athlete_id == athlete_id)
    assert counted == listed.activity_count == len(live_ids(lab, athlete_id))
