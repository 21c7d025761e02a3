from __future__ import annotations

from datetime import UTC, datetime

from stravasync.sync.cursors import BackwardCursor, ForwardCursor


def act(i: int, ts: int) -> dict[str, object]:
    return {"id": i, "start_date": datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_backward_cursor_walks_to_the_beginning() -> None:
    cur = BackwardCursor()
    assert cur.request() == {}
    cur = cur.advance([act(3, 3000), act(2, 2000)])
    assert cur.request() == {"before": 2001}  # ties at 2000 are listed again, not lost
    assert cur.newest == 3000
    cur = cur.advance([act(2, 2000), act(1, 1000)])
    assert cur.request() == {"before": 1001}
    cur = cur.advance([])
    assert cur.done
    assert cur.pages == 3


def test_backward_cursor_never_stalls_on_a_page_of_ties() -> None:
    cur = BackwardCursor(before=2001)
    cur = cur.advance([act(i, 2000) for i in range(5)])
    assert cur.request() == {"before": 2000}


def test_forward_cursor_keyset_and_empty_page_ends() -> None:
    cur = ForwardCursor(after=100, window_after=100, started_at=9999, sweep=True)
    assert cur.request() == {"after": 100}
    cur = cur.advance([act(1, 200), act(2, 300)])
    assert cur.request() == {"after": 299}
    assert not cur.done
    cur = cur.advance([act(2, 300)])
    assert cur.request() == {"after": 300}  # no stall on a repeated tie
    cur = cur.advance([])
    assert cur.done
    assert cur.newest == 300
    again = ForwardCursor.from_json(cur.to_json())
    assert again == cur
