"""Pure cursors: backward backfill, ascending incremental, empty page ends, ties never lost."""

from __future__ import annotations

from datetime import UTC, datetime

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
