from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from stravasync.clock import RealClock
from stravasync.simulator import NotVirtualTime, SimConfig, Simulator
from tests.integration.simulator.conftest import START, auth, busiest, connect, make_sim


def ids(items: list[dict[str, object]]) -> list[object]:
    return [a["id"] for a in items]


def test_the_world_changes_as_virtual_time_moves_and_truth_tracks_it(
    sim: Simulator, client: httpx.Client
) -> None:
    athlete = busiest(sim)
    h = auth(connect(sim, client, athlete))
    before = sim.truth(athlete)
    sim.advance(7 * 86400)
    h = auth(connect(sim, client, athlete))  # a fresh token: the old one expired
    after = sim.truth(athlete)
    assert set(ids(after)) - set(ids(before)), "uploads during the week"
    listed = client.get("/api/v3/athlete/activities", headers=h, params={"per_page": 200}).json()
    assert ids(listed) == ids(after)[:200]
    assert listed == after[:200]  # every summary field matches the ground truth
    changes = sim.changes(since=START)
    kinds = {c.kind for c in changes}
    assert "create" in kinds
    created = {c.activity_id for c in changes if c.kind == "create"}
    deleted = {c.activity_id for c in changes if c.kind == "delete"}
    assert (set(ids(after)) - set(ids(before))) <= created
    assert not (set(ids(after)) & deleted)


def test_late_uploads_show_up_with_old_start_times() -> None:
    sim = make_sim(athletes=20)
    for a in sim.athlete_ids():
        sim.truth(a)
    sim.advance(14 * 86400)
    late = [
        c
        for c in sim.changes(since=START)
        if c.kind == "create"
        and (act := sim.world.activity(c.activity_id or 0, sim.now())) is not None
        and c.at - act.start > 2 * 86400
    ]
    assert late, "some activities appear days after they started"


def test_same_seed_same_responses_and_changes() -> None:
    a, b = make_sim(), make_sim()
    ca, cb = a.http_client(), b.http_client()
    athlete = a.athlete_ids()[4]
    ha, hb = auth(connect(a, ca, athlete)), auth(connect(b, cb, athlete))
    pa = ca.get("/api/v3/athlete/activities", headers=ha, params={"per_page": 50}).json()
    pb = cb.get("/api/v3/athlete/activities", headers=hb, params={"per_page": 50}).json()
    assert pa == pb
    detail = pa[0]["id"]
    assert (
        ca.get(f"/api/v3/activities/{detail}", headers=ha).json()
        == cb.get(f"/api/v3/activities/{detail}", headers=hb).json()
    )
    a.advance(3 * 86400)
    b.advance(3 * 86400)
    assert [c.as_json() for c in a.changes()] == [c.as_json() for c in b.changes()]
    other = make_sim(seed=8)
    assert other.truth(athlete) != a.truth(athlete)


def test_clock_control_over_http_and_real_clock_refuses() -> None:
    sim = make_sim()
    client = sim.http_client()
    moved = client.post("/_sim/clock", json={"advance": 3600}).json()
    assert moved["now"] == "2026-01-05T09:00:00Z" and moved["mode"] == "virtual"
    jumped = client.post("/_sim/clock", json={"to": "2026-01-06T00:00:00Z"}).json()
    assert jumped["now"] == "2026-01-06T00:00:00Z"
    assert client.post("/_sim/clock", json={"advance": -5}).status_code == 400
    real = Simulator(SimConfig(athletes=3), clock=RealClock())
    with pytest.raises(NotVirtualTime):
        real.advance(10)
    assert real.http_client().post("/_sim/clock", json={"advance": 1}).status_code == 409


def test_connect_at_most_at_start_a_few_later(sim: Simulator) -> None:
    big = make_sim(athletes=200)
    offsets = [big.connect_at(a) - START for a in big.athlete_ids()]
    at_start = sum(o == timedelta(0) for o in offsets)
    assert 150 <= at_start < 200
    assert max(offsets) <= timedelta(days=7)
    listed = sim.http_client().get("/_sim/athletes", params={"per_page": 5}).json()
    assert len(listed) == 5 and {"id", "connect_at", "connected"} <= set(listed[0])
