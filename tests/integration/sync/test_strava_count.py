"""Strava's count as a backfill's total, against the simulator: what it costs (the simulator's
own request counters), what is stored, what progress shows, and that a refused stats request
never fails the pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from stravasync.lab import Lab
from stravasync.store.pending import syncstate
from stravasync.store.schema import sync_state
from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync.outcomes.progress import Progress
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 7, tzinfo=UTC)
LIST = "GET /api/v3/athlete/activities"
STATS = "GET /api/v3/athletes/{id}/stats"
READ_ALL = "read,activity:read_all"


def _lab(db_url: str, tmp_path: Path, history_days: int, **settings: Any) -> Lab:
    return quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=11,
        athletes=1,
        history_days=history_days,
        # only the listing and the count: no details, no gear (its reads: test_gear_sync)
        overrides={"sync_enrich": False, "sync_gear": False, **settings},
    )


def _spent(lab: Lab, before: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Requests by endpoint and status since ``before`` (the simulator's counters)."""
    out: dict[str, dict[str, int]] = {}
    for name, statuses in lab.sim.requests.by_endpoint().items():
        for status, n in statuses.items():
            d = n - before.get(name, {}).get(status, 0)
            if d:
                out.setdefault(name, {})[status] = d
    return out


def _state(lab: Lab, athlete: int) -> dict[str, Any]:
    with lab.db.engine.connect() as conn:
        return syncstate.get_state(conn, athlete) or {}


def _backfill(lab: Lab, athlete: int, seen: list[Progress]) -> dict[str, dict[str, int]]:
    before = lab.sim.requests.by_endpoint()
    lab.engine.watch_progress(seen.append)
    report = lab.run_until_idle()
    assert report.failed == 0, report.errors
    return _spent(lab, before)


def test_a_long_backfill_costs_one_stats_request_and_shows_a_total(
    db_url: str, tmp_path: Path
) -> None:
    lab = _lab(db_url, tmp_path, history_days=1100)
    try:
        (athlete,) = lab.sim.athlete_ids()
        lab.connect(athlete, READ_ALL)
        before = lab.sim.requests.by_endpoint()  # the token exchange is the connect's
        seen: list[Progress] = []
        spent = _backfill(lab, athlete, seen)
        history = len(lab.sim.truth(athlete, "activity:read_all"))
        state = _state(lab, athlete)
        assert all(d.exact for d in lab.diff([athlete]))
        # the listing as without a count (read_all: the short last page ends it) + one read
        assert history > 400 and spent[LIST] == {"200": history // 200 + 1}
        assert spent[STATS] == {"200": 1}
        assert sum(sum(v.values()) for v in spent.values()) == history // 200 + 2
        assert _spent(lab, before).keys() == {LIST, STATS}
        count = state["strava_count"]
        assert 0 < count <= history and state["strava_count_at"] == lab.clock.now()
        # the count is the simulator's own: rides + runs + swims visible to others
        token = lab.engine.tokens.access_token(
            athlete, lab.clock.now(), priority=Priority.INTERACTIVE
        )
        stats = lab.http.get(
            f"/api/v3/athletes/{athlete}/stats", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert count == sum(stats[f"all_{f}_totals"]["count"] for f in ("ride", "run", "swim"))
    finally:
        lab.close()
    # page 1 before the count, then every page with a total that never falls below the listed
    assert seen[0].total is None and seen[0].eta_s is None
    later = seen[1:]
    assert later and all(p.at_least and p.total is not None for p in later)
    assert all(p.done is not None and p.total >= max(p.done, count) for p in later)  # type: ignore[operator]
    assert [p.done for p in seen[1:]] == [p.activities for p in seen[1:]]  # one athlete's run
    assert seen[1].eta_s is not None and seen[1].eta_s > 0
    assert seen[-1].done == seen[-1].activities >= history  # everything listed
    assert seen[-1].total == max(seen[-1].done, count)


@pytest.mark.parametrize(
    ("setting", "watched", "stats_requests"),
    [("watched", False, 0), ("always", False, 1), ("never", True, 0)],
)
def test_the_setting_says_when_the_count_is_read(
    db_url: str, tmp_path: Path, setting: str, watched: bool, stats_requests: int
) -> None:
    """By default a backfill nobody watches (the service's) spends no read on a total."""
    lab = _lab(db_url, tmp_path, history_days=1100, sync_strava_count=setting)
    try:
        (athlete,) = lab.sim.athlete_ids()
        lab.connect(athlete, READ_ALL)
        before = lab.sim.requests.by_endpoint()
        if watched:
            lab.engine.watch_progress(lambda _: None)
        report = lab.run_until_idle()
        assert report.failed == 0, report.errors
        spent = _spent(lab, before)
        history = len(lab.sim.truth(athlete, "activity:read_all"))
        assert history > 400 and spent[LIST] == {"200": history // 200 + 1}
        assert sum(spent.get(STATS, {}).values()) == stats_requests
        assert (_state(lab, athlete)["strava_count"] is not None) == bool(stats_requests)
        assert all(d.exact for d in lab.diff([athlete]))
    finally:
        lab.close()


def test_a_history_of_one_page_costs_no_stats_request(db_url: str, tmp_path: Path) -> None:
    lab = _lab(db_url, tmp_path, history_days=60)
    try:
        (athlete,) = lab.sim.athlete_ids()
        lab.connect(athlete, READ_ALL)
        seen: list[Progress] = []
        spent = _backfill(lab, athlete, seen)
        assert 0 < len(lab.sim.truth(athlete, "activity:read_all")) < 200
        assert STATS not in spent and spent[LIST] == {"200": 1}
        assert _state(lab, athlete)["strava_count"] is None
        assert all(p.total is None and p.eta_s is None for p in seen)
    finally:
        lab.close()


@pytest.mark.parametrize("status", [403, 404])
def test_a_refused_stats_request_leaves_the_backfill_whole(
    db_url: str, tmp_path: Path, status: int
) -> None:
    lab = _lab(db_url, tmp_path, history_days=1100)
    try:
        (athlete,) = lab.sim.athlete_ids()
        lab.sim.faults.stats_status = status
        lab.connect(athlete, READ_ALL)
        seen: list[Progress] = []
        spent = _backfill(lab, athlete, seen)
        state = _state(lab, athlete)
        assert spent[STATS] == {str(status): 1}  # asked once, not again for the next pages
        assert state["backfill_done"] and state["strava_count"] is None and not state["dead"]
        assert state["last_error"] is None
        assert all(d.exact for d in lab.diff([athlete]))
        assert all(p.total is None for p in seen) and len(seen) > 2
    finally:
        lab.close()


def test_a_stored_count_is_not_fetched_again_for_a_week(db_url: str, tmp_path: Path) -> None:
    lab = _lab(db_url, tmp_path, history_days=1100)
    try:
        (athlete,) = lab.sim.athlete_ids()
        lab.connect(athlete, READ_ALL)
        _backfill(lab, athlete, [])
        count = _state(lab, athlete)["strava_count"]

        def backfill_again() -> tuple[dict[str, dict[str, int]], list[Progress]]:
            with lab.db.transaction() as conn:
                syncstate.request_mode(conn, athlete, "backfill", lab.clock.now())
            seen: list[Progress] = []
            return _backfill(lab, athlete, seen), seen

        spent, seen = backfill_again()
        assert STATS not in spent
        assert seen[0].total is not None and seen[0].at_least  # the stored count, from page 1
        assert seen[0].eta_s is not None
        with lab.db.transaction() as conn:  # eight days on, the count is old: fetched again
            conn.execute(
                update(sync_state)
                .where(sync_state.c.athlete_id == athlete)
                .values(strava_count_at=lab.clock.now() - timedelta(days=8))
            )
        spent, _ = backfill_again()
        assert spent[STATS] == {"200": 1}
        assert _state(lab, athlete)["strava_count"] == count
    finally:
        lab.close()
