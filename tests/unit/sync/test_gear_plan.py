"""When gear is read, and which gear one by one (stravasync.sync.planning.gear_plan): pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.sync.planning.gear_plan import GearState, list_due, to_fetch

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def state(
    *, retired: bool = False, detailed: bool = True, named: bool = True, age: float = 1
) -> GearState:
    return GearState(retired, detailed, named, NOW - timedelta(days=age))


def due(**kw: object) -> bool:
    args: dict[str, object] = {
        "can_list": True,
        "listed_at": NOW - timedelta(days=1),
        "known": {"b1": state()},
        "seen": {"b1"},
        "now": NOW,
        "refresh_every": WEEK,
    }
    args.update(kw)
    return list_due(**args)  # type: ignore[arg-type]


def test_the_list_is_read_first_then_weekly_and_when_an_unknown_gear_appears() -> None:
    assert due(listed_at=None, known={}, seen=set())  # never listed: read it
    assert not due()  # listed yesterday, nothing new
    assert due(listed_at=NOW - WEEK)  # the slow cadence
    assert not due(listed_at=NOW - WEEK + timedelta(seconds=1))
    assert due(seen={"b1", "b2"})  # an activity names a bike we do not know
    assert not due(seen=set())  # gear no activity names does not matter


def test_without_profile_read_all_the_list_is_never_read() -> None:
    assert not due(can_list=False, listed_at=None, known={}, seen={"b1", "b2"})


def fetch(known: dict[str, GearState], seen: set[str], limit: int = 10) -> list[str]:
    return to_fetch(known=known, seen=seen, now=NOW, refresh_every=WEEK, limit=limit)


def test_gear_the_list_lacks_is_read_one_by_one_unknown_first() -> None:
    # after a listing: g7 is on an activity but not listed (retired, or no profile scope)
    known = {"b1": state(detailed=False), "b2": state()}
    assert fetch(known, {"b1", "g7", "b9"}) == ["b9", "g7", "b1"]  # unknown, then undescribed


def test_retired_and_unnamed_gear_is_read_again_only_on_the_slow_cadence() -> None:
    fresh = {"b3": state(retired=True, age=6), "g4": state(named=False, detailed=False, age=6)}
    assert fetch(fresh, {"b3", "g4"}) == []  # a 404 is not asked again every pass
    old = {"b3": state(retired=True, age=7), "g4": state(named=False, detailed=False, age=8)}
    assert fetch(old, {"b3", "g4"}) == ["b3", "g4"]
    assert fetch(old, set()) == []  # no activity names them any more: left as they are


def test_listed_gear_is_described_once_and_retired_gear_no_activity_names_is_left() -> None:
    known = {"b1": state(detailed=False), "b2": state(detailed=True, age=30)}
    assert fetch(known, set()) == ["b1"]  # listed (refreshed by the listing), brand unknown
    assert fetch({"b5": state(retired=True, detailed=False)}, set()) == []


def test_at_most_limit_reads_per_pass() -> None:
    seen = {f"b{i}" for i in range(30)}
    assert fetch({}, seen, limit=4) == sorted(seen)[:4]
    assert fetch({}, seen, limit=0) == []
