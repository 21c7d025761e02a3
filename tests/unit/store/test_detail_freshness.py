"""Which stored details are stale: a relevant summary change, an unsettled fetch, a request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.store.mirror.detail_freshness import (
    DetailNeed,
    DetailState,
    compare,
    detail_need,
    unsettled,
)

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
H = timedelta(hours=1)
SETTLE = 24 * H

DETAIL = {
    "id": 7,
    "resource_state": 3,
    "name": "Morning Run",
    "distance": 10000.0,
    "kudos_count": 2,
    "comment_count": 0,
    "map": {"id": "a7", "summary_polyline": "abc", "polyline": "abcdef", "resource_state": 3},
    "description": "Legs felt good.",
    "laps": [{"distance": 10000.0}],
}
SUMMARY = {
    "id": 7,
    "resource_state": 2,
    "name": "Morning Run",
    "distance": 10000.0,
    "kudos_count": 2,
    "comment_count": 0,
    "map": {"id": "a7", "summary_polyline": "abc", "resource_state": 2},
}


def test_an_equal_summary_leaves_the_detail_current() -> None:
    check = compare(SUMMARY, DETAIL)
    assert not check.stale and check.align == {}


def test_kudos_and_comments_are_copied_not_fetched() -> None:
    check = compare({**SUMMARY, "kudos_count": 5, "comment_count": 1}, DETAIL)
    assert not check.stale
    assert check.align == {"kudos_count": 5, "comment_count": 1}


def test_a_crop_a_rename_or_a_new_field_makes_the_detail_stale() -> None:
    cropped = {**SUMMARY, "distance": 9400.0, "map": {**SUMMARY["map"], "summary_polyline": "ab"}}
    assert compare(cropped, DETAIL).stale_fields == {"distance", "map"}
    assert compare({**SUMMARY, "name": "Tempo"}, DETAIL).stale_fields == {"name"}
    assert compare({**SUMMARY, "distance": 9400.0}, DETAIL).stale_fields == {"distance"}
    with_more = {**DETAIL, "gear_id": None, "achievement_count": 0, "new_field": 1}
    assert compare({**SUMMARY, "gear_id": "g1"}, with_more).stale_fields == {"gear_id"}
    assert compare({**SUMMARY, "achievement_count": 3}, with_more).stale_fields == {
        "achievement_count"
    }
    assert compare({**SUMMARY, "new_field": 2}, with_more).stale_fields == {"new_field"}
    # mixed: the counter is copied and the edit still needs the detail
    check = compare({**SUMMARY, "name": "Tempo", "kudos_count": 9}, DETAIL)
    assert check.stale_fields == {"name"} and check.align == {"kudos_count": 9}


def test_fields_only_the_detail_carries_are_not_compared() -> None:
    # a summary never has the description: its absence is not a change
    assert not compare({k: v for k, v in SUMMARY.items() if k != "map"}, DETAIL).stale
    # nor is a summary field the stored detail lacks (a GET would not bring it either)
    assert not compare({**SUMMARY, "gear_id": "g1"}, DETAIL).stale


def state(fetched: datetime | None, *, stale: datetime | None = None) -> DetailState:
    return DetailState(start=T0, elapsed_s=3600, fetched_at=fetched, stale_at=stale)


def test_a_detail_fetched_before_the_activity_settled_is_fetched_once_after() -> None:
    early = state(T0 + 2 * H)  # right after the upload
    assert not unsettled(early, T0 + 24 * H, SETTLE)  # ended at +1 h: settles at +25 h
    assert unsettled(early, T0 + 25 * H, SETTLE)
    again = state(T0 + 25 * H)  # the re-fetch
    assert not unsettled(again, T0 + 400 * H, SETTLE)
    assert not unsettled(early, T0 + 25 * H, timedelta(0))  # 0: never
    assert not unsettled(state(None), T0 + 25 * H, SETTLE)


def test_detail_need_says_why() -> None:
    now = T0 + 30 * H
    assert detail_need(state(None), now, settle=SETTLE) is DetailNeed.MISSING
    assert (
        detail_need(state(T0 + 26 * H, stale=T0 + 27 * H), now, settle=SETTLE)
        is DetailNeed.SUMMARY_CHANGED
    )
    assert detail_need(state(T0 + 2 * H), now, settle=SETTLE) is DetailNeed.UNSETTLED
    assert detail_need(state(T0 + 26 * H), now, settle=SETTLE) is None
    forced = T0 + 29 * H
    assert (
        detail_need(state(T0 + 26 * H), now, settle=SETTLE, forced_since=forced)
        is DetailNeed.REQUESTED
    )
    # fetched after the request: done, so a long request resumes where it was
    assert detail_need(state(T0 + 29.5 * H), now, settle=SETTLE, forced_since=forced) is None
