"""The simulator's edit control: an athlete's edit, silent or with its event, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator

START = datetime(2026, 5, 4, 6, 3, tzinfo=UTC)


def test_an_edit_shows_from_the_next_second_in_detail_summary_and_changes() -> None:
    sim = Simulator(SimConfig(seed=11, athletes=3, history_days=10), clock=VirtualClock(START))
    athlete = sim.athlete_ids()[0]
    act = sim.world.visible(athlete, sim.now())[-1]
    with sim.http_client() as http:
        ok = http.post(
            f"/_sim/activities/{act.id}/edit",
            json={"fields": {"description": "New route, will repeat", "name": "Loop"}},
        )
        assert ok.status_code == 200 and ok.json()["edited"] == ["description", "name"]
        assert sim.truth_detail(act.id)["name"] != "Loop"  # type: ignore[index]
        sim.advance(1)
        detail = sim.truth_detail(act.id)
        assert detail is not None
        assert (detail["name"], detail["description"]) == ("Loop", "New route, will repeat")
        assert [s["name"] for s in sim.truth(athlete) if s["id"] == act.id] == ["Loop"]
        change = sim.changes(since=START, athlete_ids=[athlete])[-1]
        assert (change.activity_id, change.webhook) == (act.id, False)
        bad = http.post(f"/_sim/activities/{act.id}/edit", json={"fields": {"kudos_count": 9}})
        assert bad.status_code == 400 and "kudos_count" in bad.text
        empty = http.post(f"/_sim/activities/{act.id}/edit", json={"fields": {}})
        assert empty.status_code == 400
        gone = http.post("/_sim/activities/5/edit", json={"fields": {"name": "x"}})
        assert gone.status_code == 404
    sim.advance(timedelta(days=1).total_seconds())
    assert sim.truth_detail(act.id)["name"] == "Loop"  # type: ignore[index]
