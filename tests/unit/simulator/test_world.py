from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

from stravasync.clock import to_epoch
from stravasync.simulator import SimConfig
from stravasync.simulator.content.geometry import decode_polyline, encode_polyline
from stravasync.simulator.content.world import World

START = to_epoch(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
DAY = 86400


def world(seed: int = 7, athletes: int = 20, **kwargs: object) -> World:
    return World(SimConfig(seed=seed, athletes=athletes, **kwargs), START)  # type: ignore[arg-type]


def fingerprint(w: World, athlete_id: int, now: int) -> list[tuple[object, ...]]:
    return [
        (
            a.id,
            a.start,
            a.visible_at,
            a.deleted_at,
            tuple(sorted(a.fields_at(now).items(), key=lambda kv: kv[0])).__repr__(),
        )
        for a in w.visible(athlete_id, now)
    ]


def test_same_seed_same_world_whatever_the_order_of_access() -> None:
    a, b = world(), world()
    ids = a.athlete_ids()
    for athlete in reversed(ids):  # b touches athletes in another order
        b.state(athlete, START)
    for athlete in ids:
        assert fingerprint(a, athlete, START) == fingerprint(b, athlete, START)
    assert a.profile(ids[3]) == b.profile(ids[3])


def test_different_seed_different_world() -> None:
    a, b = world(seed=7), world(seed=8)
    athlete = a.athlete_ids()[0]
    assert fingerprint(a, athlete, START) != fingerprint(b, athlete, START)


def test_lazy_world_of_ten_thousand_athletes_costs_nothing_until_touched() -> None:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    big = world(athletes=10_000)
    assert len(big.athlete_ids()) == 10_000
    assert big.touched() == []
    untouched = tracemalloc.get_traced_memory()[0] - before
    big.state(big.athlete_ids()[9_999], START)
    tracemalloc.stop()
    assert big.touched() == [big.athlete_ids()[9_999]]
    assert untouched < 2_000_000  # the id list only, no athlete generated


def test_history_covers_the_configured_days_and_ids_are_unique_and_json_safe() -> None:
    w = world(athletes=30, history_days=120, heavy_fraction=0.0)
    seen: set[int] = set()
    for athlete in w.athlete_ids():
        acts = w.visible(athlete, START)
        assert all(START - 120 * DAY <= a.start < START for a in acts)
        for a in acts:
            assert a.id not in seen and a.id < 2**53
            assert a.id % 100_000 == athlete % 100_000
            seen.add(a.id)
    assert len(seen) > 300


def test_heavy_athletes_have_thousands_of_activities() -> None:
    w = world(athletes=5, heavy_fraction=1.0, heavy_history_days=1460)
    counts = [len(w.visible(a, START)) for a in w.athlete_ids()]
    assert min(counts) > 2000


def test_uploads_arrive_after_the_end_some_days_late_with_old_start_times() -> None:
    w = world(athletes=40, history_days=200)
    delays = []
    for athlete in w.athlete_ids():
        st = w.state(athlete, START)
        for a in st.activities:
            end = a.start + a.base["elapsed_time"]
            assert a.visible_at > a.upload_at >= end
            delays.append(a.upload_at - end)
    late = [d for d in delays if d > DAY]
    quick = [d for d in delays if d < 1800]
    assert len(quick) > len(delays) * 0.6
    assert len(late) > len(delays) * 0.02


def test_future_activities_appear_as_time_moves_and_state_changes_with_edits() -> None:
    w = world(athletes=20)
    athlete = max(w.athlete_ids(), key=lambda a: len(w.visible(a, START)))
    week_later = START + 7 * DAY
    now_ids = {a.id for a in w.visible(athlete, START)}
    later_ids = {a.id for a in w.visible(athlete, week_later)}
    assert later_ids - now_ids, "new uploads during the week"
    edited = [a for a in w.state(athlete, week_later).activities if a.edits]
    assert edited
    act = edited[0]
    edit = act.edits[0]
    before = act.fields_at(edit.at - 1)
    after = act.fields_at(edit.at)
    for key, value in edit.fields.items():
        assert after[key] == value
    assert before == act.base


def test_only_title_type_and_privacy_edits_carry_webhook_events() -> None:
    w = world(athletes=60, churn=3.0)
    events, silent = set(), set()
    for athlete in w.athlete_ids():
        for change in w.changes(athlete, None, START + 30 * DAY):
            if change.kind != "update":
                continue
            target = events if change.webhook else silent
            target.update(change.fields)
            if change.webhook:
                assert set(change.event_updates) <= {"title", "type", "private"}
                assert all(isinstance(v, str) for v in change.event_updates.values())
    assert events <= {"name", "type", "sport_type", "visibility", "private"}
    assert {"description", "gear_id", "workout_type", "distance"} <= silent
    assert not silent & {"name", "visibility"}


def test_deleted_activities_disappear_at_their_deletion_time() -> None:
    w = world(athletes=60, churn=3.0)
    for athlete in w.athlete_ids():
        for act in w.state(athlete, START).activities:
            if act.deleted_at is not None and act.deleted_at < START:
                assert act.visible(act.deleted_at - 1) or act.visible_at >= act.deleted_at
                assert not act.visible(act.deleted_at)
                assert w.activity(act.id, START) is None
                return
    raise AssertionError("no deleted activity in 60 athletes")


def test_kudos_accrue_over_time() -> None:
    w = world(athletes=30)
    acts = [
        a for x in w.athlete_ids() for a in w.state(x, START).activities if len(a.kudos_times()) > 3
    ]
    act = acts[0]
    times = act.kudos_times()
    assert act.kudos_count(act.visible_at) == 0
    assert 0 < act.kudos_count(times[1]) < act.kudos_count(times[-1] + 1) == len(times)


def test_polyline_encoding_matches_googles_reference_and_round_trips() -> None:
    points = [(38.5, -120.2), (40.7, -120.95), (43.252, -126.453)]
    assert encode_polyline(points) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    assert decode_polyline(encode_polyline(points)) == points
