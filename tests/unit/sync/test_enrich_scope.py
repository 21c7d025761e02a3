"""Enrich requests: their options checked and bounded, and the scope a pass reads from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stravasync.sync.config import EngineConfig
from stravasync.sync.enrich import BadEnrichRequest, request_options, scope_of

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
CFG = EngineConfig()


def test_named_activities_are_always_fetched() -> None:
    opts = request_options(activity_ids=[5, 5, 9])
    assert opts == {"activity_ids": [5, 9]}
    scope = scope_of({"mode": "enrich", **opts}, NOW, CFG)
    assert scope.activity_ids == [5, 9] and scope.forced_since == NOW
    assert scope.since is None and not scope.automatic


def test_dates_and_force_make_a_forced_window() -> None:
    opts = request_options(since=datetime(2026, 3, 1), until=datetime(2026, 3, 5), force=True)
    assert opts == {
        "since": "2026-03-01T00:00:00+00:00",
        "until": "2026-03-05T00:00:00+00:00",
        "force": True,
    }
    started = NOW - timedelta(minutes=5)
    scope = scope_of({"mode": "enrich", **opts, "started_at": started.isoformat()}, NOW, CFG)
    assert scope.since == datetime(2026, 3, 1, tzinfo=UTC)
    assert scope.until == datetime(2026, 3, 5, tzinfo=UTC)
    assert scope.forced_since == started  # a resumed request keeps its start
    assert not scope.automatic


def test_without_options_the_recent_window_and_nothing_forced() -> None:
    scope = scope_of({}, NOW, CFG)
    assert scope.since == NOW - timedelta(seconds=CFG.enrich_window)
    assert scope.forced_since is None and scope.automatic
    whole = scope_of({"mode": "enrich", **request_options(all_=True)}, NOW, CFG)
    assert whole.since is None and whole.automatic
    recent = scope_of({"mode": "enrich", **request_options(since_days=3)}, NOW, CFG)
    assert recent.since == NOW - timedelta(days=3) and not recent.automatic


@pytest.mark.parametrize(
    ("kwargs", "option"),
    [
        ({"activity_ids": [0]}, "activity_ids"),
        ({"activity_ids": [2**63]}, "activity_ids"),
        ({"activity_ids": list(range(1, 1002))}, "activity_ids"),
        ({"activity_ids": [1], "all_": True}, "activity_ids"),
        ({"since_days": 0.0}, "since_days"),
        ({"since_days": 1e9}, "since_days"),
        ({"since": datetime(1850, 1, 1)}, "since"),
        ({"until": datetime(2999, 1, 1)}, "until"),
        ({"since": datetime(2026, 3, 5), "until": datetime(2026, 3, 1)}, "until"),
        ({"all_": True, "since": datetime(2026, 3, 1)}, "all"),
    ],
)
def test_bad_requests_say_which_option(kwargs: dict[str, object], option: str) -> None:
    with pytest.raises(BadEnrichRequest) as err:
        request_options(**kwargs)  # type: ignore[arg-type]
    assert err.value.option == option
