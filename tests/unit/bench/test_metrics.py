"""The benchmark's figures: percentiles, freshness of changes, end-of-run differences."""

from __future__ import annotations

import math

from bench.metrics import (
    FreshnessBook,
    MirrorDiff,
    Pending,
    detail_differences,
    freshness,
    is_mirrored,
    percentile,
)


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_percentile_reaches_never_mirrored_changes() -> None:
    values = [10.0] * 94 + [math.inf] * 6
    assert percentile(values, 50) == 10.0
    assert percentile(values, 95) == math.inf


def test_create_is_mirrored_when_a_live_row_exists() -> None:
    p = Pending(100, "create", 1, 5)
    assert not is_mirrored(p, None)
    assert not is_mirrored(p, ({"name": "x"}, True))  # tombstoned is not mirrored
    assert is_mirrored(p, ({"name": "x"}, False))


def test_edit_needs_equal_real_fields_and_ignores_social_counters() -> None:
    p = Pending(100, "update", 1, 5, {"name": "Evening Ride", "kudos_count": 9})
    assert not is_mirrored(p, ({"name": "Morning Ride", "kudos_count": 9}, False))
    assert is_mirrored(p, ({"name": "Evening Ride", "kudos_count": 0}, False))
    assert not is_mirrored(p, None)


def test_delete_is_mirrored_by_a_tombstone_or_no_row() -> None:
    p = Pending(100, "delete", 1, 5)
    assert not is_mirrored(p, ({"name": "x"}, False))
    assert is_mirrored(p, ({"name": "x"}, True))
    assert is_mirrored(p, None)


def test_book_resolves_at_observation_time_and_overtaken_changes_together() -> None:
    book = FreshnessBook()
    book.add(Pending(100, "create", 1, 5))
    book.add(Pending(150, "update", 1, 5, {"name": "B"}))
    book.add(Pending(120, "create", 1, 6))
    # activity 5 is there but still with the old name: neither of its changes counts yet
    assert book.observe({5: ({"name": "A"}, False)}, now=160) == 0
    assert book.observe({5: ({"name": "B"}, False), 6: ({}, False)}, now=200) == 3
    delays = sorted((r.activity_id, r.kind, r.delay(1000)) for r in book.close())
    assert delays == [(5, "create", 100.0), (5, "update", 50.0), (6, "create", 80.0)]
    assert book.pending_ids() == []


def test_unresolved_changes_are_infinitely_late_and_percentiles_say_so() -> None:
    book = FreshnessBook()
    for i in range(19):
        book.add(Pending(0, "create", 1, i))
    book.add(Pending(0, "create", 1, 99))
    book.observe({i: ({}, False) for i in range(19)}, now=30)
    figures = freshness(book.close(), "create", end=1000)
    assert figures["count"] == 20
    assert figures["unmirrored"] == 1
    assert figures["p50_s"] == 30.0
    assert figures["p95_s"] == 30.0  # 19 of 20 = 95 %
    assert figures["max_s"] is None
    assert freshness(book.close(), "delete", end=1000)["p95_s"] is None


def test_drop_athlete_forgets_only_theirs() -> None:
    book = FreshnessBook()
    book.add(Pending(0, "create", 1, 10))
    book.add(Pending(0, "create", 2, 20))
    book.drop_athlete(1)
    assert book.pending_ids() == [20]


def test_mirror_diff_counts_missing_zombies_and_splits_social_staleness() -> None:
    truth = [
        {"id": 1, "name": "a", "kudos_count": 3},
        {"id": 2, "name": "b", "kudos_count": 0},
        {"id": 3, "name": "c", "kudos_count": 0},
        {"id": 4, "name": "d", "kudos_count": 1},
    ]
    mirror = {
        1: {"id": 1, "name": "a", "kudos_count": 3},  # exact
        2: {"id": 2, "name": "b", "kudos_count": 5},  # social only
        3: {"id": 3, "name": "old", "kudos_count": 2},  # real edit missed (+ social)
        9: {"id": 9, "name": "gone"},  # deleted on Strava
    }
    diff = MirrorDiff()
    diff.add(truth, mirror)
    assert (diff.missing, diff.zombies, diff.stale, diff.stale_social) == (1, 1, 1, 1)
    assert diff.stale_fields == {"name": 1}


def test_observe_only_checks_the_ids_it_was_given() -> None:
    book = FreshnessBook()
    book.add(Pending(0, "create", 1, 10))
    book.add(Pending(0, "create", 2, 20))
    assert book.pending_ids(2) == [20]
    # athlete 1's mirror was not read: its absent row must not count as anything
    book.add(Pending(5, "delete", 1, 11))
    assert book.observe({20: ({}, False)}, now=50, only=[20]) == 1
    assert sorted(book.pending_ids()) == [10, 11]
    assert book.observe({}, now=60, only=[10, 11]) == 1  # the delete: no row is mirrored
    assert book.pending_ids() == [10]


def test_detail_diff_counts_stale_details_apart_and_in_the_total() -> None:
    truth = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "new"}]
    summaries = {1: {"id": 1, "name": "a"}, 2: {"id": 2, "name": "b"}, 3: {"id": 3, "name": "x"}}
    detail = {"id": 1, "name": "a", "description": "Windy", "kudos_count": 2, "gear": None}
    strava = {
        1: dict(detail),
        2: dict(detail, id=2, name="b", description="Legs felt good."),
        3: dict(detail, id=3, name="new"),
        4: None,  # gone on Strava: its summary is the zombie
    }
    stored = {
        1: dict(detail, kudos_count=1),  # kudos lag only
        2: dict(detail, id=2, name="b", description=None),  # silent description edit missed
        3: dict(detail, id=3, name="x"),  # stale in the summary and in the detail: counted once
        4: dict(detail, id=4),
    }
    diff = MirrorDiff()
    diff.add(truth, summaries)
    diff.add_details(strava, stored)
    assert (diff.stale, diff.stale_detail, diff.stale_detail_social, diff.stale_total) == (
        1,
        2,
        1,
        2,
    )
    assert diff.details_checked == 3
    assert diff.stale_detail_fields == {"description": 1, "name": 1}


def test_detail_gear_is_compared_by_id_only() -> None:
    theirs = {"gear": {"id": "b1", "distance": 5000.0}}
    assert detail_differences(theirs, {"gear": {"id": "b1", "distance": 10.0}}) == []
    assert detail_differences(theirs, {"gear": {"id": "b2", "distance": 5000.0}}) == ["gear"]
    assert detail_differences({"gear": None}, {"gear": {"id": "b2"}}) == ["gear"]
