"""During a flood of forged creates on some athletes, real edits keep their latency: the edit
of an athlete the flood did not touch is not held back by the flood's reads (they are counted
in the suspects' pool, not in the clean athletes'), and the edit of a flooded athlete (an
update of an activity it holds) is its own GET, not a place in the queue of forged creates.
What the flood costs stays within ``worst_case_quarter`` (sync.event_reads).

The bench's flood (bench/hostile.py) in virtual time, on more athletes: 6 athletes on the
default quota, 5 of them flooded with 60 forged creates each over 60 s; halfway through, a
flooded athlete and the sixth each rename their newest activity. The control is the same edit
with no flood, in the same lab. Before the pools were split (and a flood spread thin cost two
GETs per athlete before its listings), the flood spent everyone's quarter-hour share within
seconds and both edits waited for the next quarter hour (the bench: 117-349 s against 10 s).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from stravasync.lab import Lab
from stravasync.store.schema import activities, webhook_events
from stravasync.sync.planning.event_reads import EventReadLimits, worst_case_quarter
from tests.integration.sync.labs import quiet_lab
from tests.integration.sync.test_event_confirmation import live_ids, post, requests, spent

START = datetime(2026, 4, 6, 9, 1, tzinfo=UTC)  # the whole scenario fits in one quarter hour
FAKE = 9_000_000_000
PER_ATHLETE = 60  # forged creates per flooded athlete, over FLOOD_S
FLOOD_S = 60
MARGIN_S = 5  # virtual seconds a real edit may take beyond the control's


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Iterator[Lab]:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=25,
        athletes=6,
        history_days=40,
        webhooks=True,
        overrides={"sync_enrich": False, "rate_tier": "default"},
    )
    for athlete_id in lab.sim.athlete_ids():
        lab.connect(athlete_id)
    lab.run_until_idle()
    assert all(d.exact for d in lab.diff())
    assert all(live_ids(lab, a) for a in lab.sim.athlete_ids())
    yield lab
    lab.close()


def name_of(lab: Lab, activity_id: int) -> str | None:
    with lab.db.engine.connect() as conn:
        stmt = select(activities.c.name).where(activities.c.id == activity_id)
        return conn.execute(stmt).scalar()


def rename(lab: Lab, activity_id: int, name: str) -> None:
    assert lab.sim.edit_activity(activity_id, {"name": name}, {"title": name})


def gets(before: dict[str, dict[str, int]], lab: Lab) -> int:
    return sum(n for k, n in spent(before, requests(lab)).items() if k.startswith("GET "))


def test_real_edits_during_a_flood_on_others_keep_their_latency(lab: Lab) -> None:
    *flooded, spared = lab.sim.athlete_ids()
    flooded_a = flooded[0]

    # the control: the spared athlete's edit with no flood
    control_id = max(live_ids(lab, spared))
    rename(lab, control_id, "Control edit")
    edited = lab.clock.now()
    while name_of(lab, control_id) != "Control edit":
        assert lab.clock.now() - edited < timedelta(seconds=120), "control edit not mirrored"
        lab.advance(1, step=1)
    control = (lab.clock.now() - edited).total_seconds()
    lab.advance(30, step=5)

    before = requests(lab)
    targets = {"flooded": max(live_ids(lab, flooded_a)), "spared": control_id}
    mirrored_after: dict[str, float] = {}
    edited = started = lab.clock.now()
    for second in range(FLOOD_S + 60):
        if second < FLOOD_S:
            for i, athlete_id in enumerate(flooded):
                for k in range(
                    PER_ATHLETE * second // FLOOD_S, PER_ATHLETE * (second + 1) // FLOOD_S
                ):
                    post(lab, object_type="activity", object_id=FAKE + 1000 * i + k,
                         owner_id=athlete_id, aspect_type="create")  # fmt: skip
        if second == FLOOD_S // 2:  # halfway through, both athletes rename their newest
            for key, act_id in targets.items():
                rename(lab, act_id, f"Real edit {key}")
            edited = lab.clock.now()
        lab.advance(1, step=1)
        for key, act_id in targets.items():
            if key not in mirrored_after and name_of(lab, act_id) == f"Real edit {key}":
                mirrored_after[key] = (lab.clock.now() - edited).total_seconds()
    assert lab.clock.now() < START.replace(minute=15)  # one quarter hour: its allowances hold

    assert set(mirrored_after) == {"flooded", "spared"}, (control, mirrored_after)
    assert mirrored_after["spared"] <= control + MARGIN_S, (control, mirrored_after)
    assert mirrored_after["flooded"] <= control + MARGIN_S, (control, mirrored_after)
    # the flood's reads: what the pools allow for five athletes, plus the two real edits'
    with lab.db.engine.connect() as conn:
        stmt = select(webhook_events).where(webhook_events.c.received_at >= started)
        rows = conn.execute(stmt).mappings().all()
    unconfirmed = sum(r["unconfirmed_listings"] + r["unconfirmed_reads"] for r in rows)
    assert unconfirmed <= worst_case_quarter(EventReadLimits(), len(flooded))
    assert gets(before, lab) == unconfirmed + 2, spent(before, requests(lab))
    forged = [r for r in rows if FAKE <= r["object_id"] < FAKE + 1000 * len(flooded)]
    assert len(forged) == len(flooded) * PER_ATHLETE
    # ignored, or (the suspects' pool being spent) waiting for the next quarter hour
    quarter_end = START.replace(minute=15)
    assert all(r["state"] == "ignored" or r["due_at"] >= quarter_end for r in forged)
    assert all(d.exact for d in lab.diff())
    print(f"\ncontrol {control} s; during the flood {mirrored_after}; flood reads {unconfirmed}")
