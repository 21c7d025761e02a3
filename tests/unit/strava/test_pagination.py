"""Pure cursors: backward backfill, ascending incremental, empty page ends, ties never lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stravasync.strava.models import SummaryActivity
from stravasync.strava.pagination import BackwardCursor, ForwardCursor


def act(i: int, epoch: int) -> SummaryActivity:
    iso = datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
    return SummaryActivity.parse({"id": i, "athlete": {"id": 1}, "start_date": iso})


def list_before(world: list[SummaryActivity], c: BackwardCursor, n: int) -> list[SummaryActivity]:
    from stravasync.strava.pagination import start_epoch

    items = sorted(world, key=lambda a: -(start_epoch(a) or 0))
    items = [a for a in items if c.before is None or (start_epoch(a) or 0) < c.before]
    return items[(c.page - 1) * n : c.page * n]


def list_after(world: list[SummaryActivity], c: ForwardCursor, n: int) -> list[SummaryActivity]:
    from stravasync.strava.pagination import start_epoch

    items = sorted(world, key=lambda a: start_epoch(a) or 0)
    items = [a for a in items if (start_epoch(a) or 0) > c.after]
    return items[(c.page - 1) * n : c.page * n]


def test_backward_walk_sees_everything_even_with_ties_across_pages() -> None:
    world = [act(i, 1000 + (i // 3)) for i in range(20)]  # triples share a second
    world += [act(100 + i, 5000) for i in range(5)]  # a whole page within one second
    seen: set[int] = set()
    c = BackwardCursor()
    for _ in range(100):
        page = list_before(world, c, 4)
        seen |= {a.id for a in page}
        c = c.advance(page, per_page=4)
        c = BackwardCursor.from_json(c.to_json())  # persisted and resumed every page
        if c.done:
            break
    assert c.done and seen == {a.id for a in world}


def test_forward_walk_is_ascending_and_stops_at_an_empty_page() -> None:
    world = [act(i, 2000 + (i // 2)) for i in range(11)] + [act(50 + i, 3000) for i in range(4)]
    seen: list[int] = []
    c = ForwardCursor(after=1999)
    pages = 0
    while not c.done:
        page = list_after(world, c, 3)
        seen += [a.id for a in page]
        c = ForwardCursor.from_json(c.advance(page, per_page=3).to_json())
        pages += 1
    assert set(seen) == {a.id for a in world}
    assert c.request()["after"] >= 2999


def test_empty_first_page_is_done() -> None:
    assert BackwardCursor().advance([]).done
    assert ForwardCursor(after=5).advance([]).done


def test_a_short_page_moves_past_its_last_second_without_relisting() -> None:
    # a page shorter than asked cannot have split a second with the next page: the next
    # request starts after its newest start (no re-listed item, no extra request)
    page = [act(1, 2000), act(2, 2005)]
    assert ForwardCursor(after=1999).advance(page, per_page=200).request()["after"] == 2005
    assert BackwardCursor().advance(page, per_page=200).request()["before"] == 2000
    # a full page re-lists its boundary second
    assert ForwardCursor(after=1999).advance(page, per_page=2).request()["after"] == 2004
    assert BackwardCursor().advance(page, per_page=2).request()["before"] == 2001


def list_window(
    world: list[SummaryActivity], c: ForwardCursor, n: int, *, after_order: str
) -> list[SummaryActivity]:
    """Strava's listing under ``after`` (and ``before``): newest first with both (recorded);
    ``after_order`` under ``after`` alone (not documented)."""
    from stravasync.strava.pagination import start_epoch

    items = sorted(world, key=lambda a: (start_epoch(a) or 0, a.id))
    items = [
        a
        for a in items
        if (start_epoch(a) or 0) > c.after
        and (c.before is None or (start_epoch(a) or 0) < c.before)
    ]
    if c.before is not None or after_order == "newest_first":
        items.reverse()
    return items[(c.page - 1) * n : c.page * n]


@pytest.mark.parametrize("after_order", ["oldest_first", "newest_first"])
@pytest.mark.parametrize("per_page", [1, 3, 4, 200])
def test_forward_walk_sees_everything_in_either_order(after_order: str, per_page: int) -> None:
    """Under newest-first, moving ``after`` up to the newest start seen skipped every page but
    the first: the walk must read the order and move ``before`` down instead."""
    world = [act(i, 2000 + (i // 2) * 7) for i in range(23)] + [act(90 + i, 2600) for i in range(5)]
    world.append(act(99, 1500))  # before the window: never listed
    seen: list[int] = []
    c = ForwardCursor(after=1999)
    for _ in range(200):
        page = list_window(world, c, per_page, after_order=after_order)
        seen += [a.id for a in page]
        c = ForwardCursor.from_json(c.advance(page, per_page=per_page).to_json())
        if c.done:
            break
    assert c.done
    assert sorted(set(seen)) == sorted(a.id for a in world if a.id != 99)
    assert len(seen) <= 2 * len(world)  # re-listing a second's ties only, no runaway


@pytest.mark.parametrize("after_order", ["oldest_first", "newest_first"])
def test_a_single_new_activity_costs_two_requests_in_either_order(after_order: str) -> None:
    world = [act(1, 5000)]
    c, requests = ForwardCursor(after=4000), 0
    while not c.done:
        page = list_window(world, c, 200, after_order=after_order)
        requests += 1
        c = c.advance(page)
    assert requests == 2


def test_a_checkpoint_from_before_the_order_fields_still_resumes() -> None:
    assert ForwardCursor.from_json({"after": 7, "page": 2, "done": False}) == ForwardCursor(7, 2)
