"""Stored details follow Strava: a silent description edit, new kudos, a rename with its event,
a crop, and a request for named activities, each reaching the stored DetailedActivity (the
simulator edits the activities through its ``/_sim`` control, the engine talks HTTP to it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from stravasync.lab import Lab
from stravasync.store.pending import syncstate
from stravasync.store.schema import activities, activity_details
from stravasync.sync.enrich import request_options
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 6, 3, tzinfo=UTC)
ATHLETE = 10000003  # seed 11: uploads one activity on the first day, 8 kudos over 11 hours
HOUR = 3600.0


def stored_detail(lab: Lab, act_id: int) -> dict[str, Any] | None:
    with lab.db.engine.connect() as conn:
        value = conn.execute(
            select(activity_details.c.detail_json).where(activity_details.c.activity_id == act_id)
        ).scalar()
    return dict(value) if value is not None else None


def detail_calls(lab: Lab) -> list[int]:
    seen: list[int] = []

    def hook(response: httpx.Response) -> None:
        parts = response.request.url.path.rstrip("/").split("/")
        if len(parts) == 5 and parts[3] == "activities" and parts[4].isdigit():
            seen.append(int(parts[4]))

    lab.http.event_hooks["response"].append(hook)
    return seen


def edit(
    lab: Lab, act_id: int, fields: dict[str, Any], event: dict[str, str] | None = None
) -> None:
    response = lab.http.post(
        f"/_sim/activities/{act_id}/edit", json={"fields": fields, "event": event}
    )
    assert response.status_code == 200, response.text


def first_upload(lab: Lab) -> int:
    """Advance until the athlete's first new activity is mirrored with its detail."""
    known = {a.id for a in lab.sim.world.visible(ATHLETE, lab.sim.now())}
    for _ in range(48):
        lab.advance(HOUR)
        new = [a.id for a in lab.sim.world.visible(ATHLETE, lab.sim.now()) if a.id not in known]
        if new and stored_detail(lab, new[0]) is not None:
            return new[0]
    raise AssertionError("no upload in 48 h")


def started(db_url: str, tmp_path: Path) -> Lab:
    lab = quiet_lab(
        db_url, tmp_path, start=START, seed=11, athletes=3, history_days=10, webhooks=True
    )
    lab.connect(ATHLETE)
    lab.run_until_idle()
    return lab


def test_a_silent_description_edit_and_new_kudos_reach_the_stored_detail(
    db_url: str, tmp_path: Path
) -> None:
    lab = started(db_url, tmp_path)
    try:
        act_id = first_upload(lab)
        before = stored_detail(lab, act_id)
        assert before is not None and before["description"] != "Intervals: 5x5'"
        edit(lab, act_id, {"description": "Intervals: 5x5'"})  # no event, no summary field
        lab.advance(2 * 24 * HOUR)
        truth = lab.sim.truth_detail(act_id)
        after = stored_detail(lab, act_id)
        assert truth is not None and after is not None
        assert after["description"] == truth["description"] == "Intervals: 5x5'"
        assert truth["kudos_count"] > before["kudos_count"]  # kudos came after the first fetch
        assert after["kudos_count"] == truth["kudos_count"]
    finally:
        lab.close()


def test_a_rename_with_its_event_and_a_crop_refetch_the_detail(db_url: str, tmp_path: Path) -> None:
    lab = started(db_url, tmp_path)
    try:
        act_id = first_upload(lab)
        lab.advance(30 * HOUR)  # settled: no re-fetch is due for its age any more
        calls = detail_calls(lab)
        # the edit page: a new title (Strava sends an event with the title only) and description
        edit(lab, act_id, {"name": "Club tempo", "description": "With the club"}, {"title": "x"})
        lab.advance(HOUR)
        got = stored_detail(lab, act_id)
        assert got is not None and (got["name"], got["description"]) == (
            "Club tempo",
            "With the club",
        )
        assert calls == [act_id]  # the title came in the event; the detail took one request
        # a crop: silent, seen in the summary at the next refresh listing
        truth = lab.sim.truth_detail(act_id)
        assert truth is not None
        distance = round(truth["distance"] * 0.9, 1)
        edit(lab, act_id, {"distance": distance, "moving_time": int(truth["moving_time"] * 0.9)})
        lab.advance(60)  # in effect from the next second; no event: nothing fetched yet
        assert calls == [act_id]
        calls.clear()
        with lab.db.transaction() as conn:
            syncstate.request_mode(conn, ATHLETE, "refresh", lab.clock.now())
        lab.run_until_idle()
        got = stored_detail(lab, act_id)
        cropped = lab.sim.truth_detail(act_id)
        assert got is not None and cropped is not None
        assert got["distance"] == distance and got["laps"] == cropped["laps"]
        assert got["splits_metric"] == cropped["splits_metric"]
        assert calls == [act_id]
    finally:
        lab.close()


def test_named_activities_are_fetched_even_when_current(db_url: str, tmp_path: Path) -> None:
    lab = started(db_url, tmp_path)
    try:
        with lab.db.engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(activities.c.id)
                    .where(activities.c.athlete_id == ATHLETE)
                    .where(activities.c.detail_fetched_at.is_not(None))
                    .order_by(activities.c.start_date)
                ).scalars()
            )
        assert len(ids) >= 2
        lab.advance(30 * HOUR)
        calls = detail_calls(lab)
        for options in (request_options(activity_ids=ids[:2]), {"mode": "enrich"}):
            with lab.db.transaction() as conn:
                syncstate.request_mode(conn, ATHLETE, "enrich", lab.clock.now(), options=options)
            lab.run_until_idle()
        assert sorted(calls) == sorted(ids[:2])  # named: fetched; a bare pass: nothing is due
        calls.clear()
        with lab.db.transaction() as conn:
            syncstate.request_mode(
                conn, ATHLETE, "enrich", lab.clock.now(), options=request_options(force=True)
            )
        lab.run_until_idle()
        recent = [i for i in ids if i in set(calls)]
        assert recent and len(calls) == len(set(calls))  # forced: the window, each once
    finally:
        lab.close()
