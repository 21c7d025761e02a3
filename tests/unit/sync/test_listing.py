from __future__ import annotations

from datetime import UTC, datetime

from stravasync.strava.models import SummaryActivity
from stravasync.sync.listing import ListingPass, newest_start


def act(i: int, ts: int) -> SummaryActivity:
    start = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return SummaryActivity.parse(
        {"id": i, "start_date": start, "resource_state": 2, "athlete": {"id": 1}}
    )


def test_a_pass_pages_forward_until_an_empty_page_and_tracks_the_newest_start() -> None:
    p = ListingPass.start(100, 9_999, sweep=True)
    assert p.cursor.request()["after"] == 100
    p = p.advance([act(1, 200), act(2, 300)])
    assert p.cursor.request()["after"] == 300  # a short page cannot split a second
    assert not p.done and p.newest == 300
    p = p.advance([])
    assert p.done and p.pages == 2
    again = ListingPass.from_json(p.to_json())
    assert again == p
    assert (again.window_after, again.started_at, again.sweep) == (100, 9_999, True)


def test_newest_start_ignores_items_without_a_start() -> None:
    assert newest_start([], 5) == 5
    assert newest_start([act(1, 50)], None) == 50
    assert newest_start([act(1, 50)], 70) == 70


def test_a_short_page_ends_a_pass_that_allows_it() -> None:
    strict = ListingPass.start(100, 9_999, sweep=True)
    quick = ListingPass.start(100, 9_999, sweep=True, short_page_ends=True)
    page = [act(1, 200), act(2, 300)]
    assert not strict.advance(page).done  # as documented: only an empty page proves the end
    assert quick.advance(page).done
    assert quick.advance(page).pages == 1
    full = [act(i, 200 + i) for i in range(200)]
    assert not quick.advance(full).done  # a full page always has a next one to ask for
    assert quick.advance([]).done
    resumed = ListingPass.from_json(quick.to_json())
    assert resumed.short_page_ends and resumed.advance(page).done
