"""The refresh cadence spent from spare quota (issue 24): a small app re-lists its recently
active athletes every few minutes, a club stretches, a backlog has the reads first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync.enrich import history_priority
from stravasync.sync.planning.plan import AthleteView, Cadence, fit_to_budget, refresh_due
from stravasync.sync.planning.refresh_cadence import (
    LONGEST,
    Heat,
    Spare,
    multipliers,
    reads_per_day,
    refresh_reads,
    spare_cadence,
)

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
SMALL = Heat(hot=7, warm=2, cold=1)  # a Standard app: 10 athletes
CLUB = Heat(hot=60, warm=80, cold=60)


def _spent(cadence: Cadence, heat: Heat, *, count_tokens: bool = True) -> float:
    intervals = (
        cadence.refresh_hot_every,
        cadence.refresh_active_every,
        cadence.refresh_inactive_every,
    )
    counts = (heat.hot, heat.warm, heat.cold)
    return sum(
        n * reads_per_day(t, count_tokens=count_tokens)
        for n, t in zip(counts, intervals, strict=True)
    )


def test_a_small_app_relists_its_hot_athletes_every_few_minutes() -> None:
    spare = Spare(read_daily=1000)
    fitted = spare_cadence(Cadence(), SMALL, spare)
    assert 600 <= fitted.refresh_hot_every <= 30 * 60  # the fixed default was 12 h
    _hot, warm, cold = multipliers()
    assert fitted.refresh_active_every == pytest.approx(fitted.refresh_hot_every * warm)
    assert fitted.refresh_inactive_every == pytest.approx(fitted.refresh_hot_every * cold)
    # it spends what it was given, not more
    reads = refresh_reads(SMALL, spare)
    assert reads * 0.97 <= _spent(fitted, SMALL) <= reads


def test_a_backlog_takes_the_spare_reads_first() -> None:
    idle = spare_cadence(Cadence(), SMALL, Spare(read_daily=1000))
    busy = spare_cadence(Cadence(), SMALL, Spare(read_daily=1000, busy=True))
    assert busy.refresh_hot_every > 3 * idle.refresh_hot_every
    assert _spent(busy, SMALL) <= refresh_reads(SMALL, Spare(read_daily=1000, busy=True))


def test_a_club_stretches_and_spends_no_more_than_its_share() -> None:
    spare = Spare(read_daily=1000)
    small = spare_cadence(Cadence(), SMALL, spare)
    club = spare_cadence(Cadence(), CLUB, spare)
    assert club.refresh_hot_every > 10 * small.refresh_hot_every
    assert club.refresh_inactive_every <= LONGEST
    assert _spent(club, CLUB) <= refresh_reads(CLUB, spare) + 1
    # the reserve and the uploads' expected cost are not the refresh's to spend
    assert refresh_reads(CLUB, spare) < 1000 * (1 - spare.reserve) * spare.share


def test_no_spare_share_or_no_webhooks_keep_the_fixed_hours_fit() -> None:
    base = Cadence()
    assert spare_cadence(base, CLUB, Spare(read_daily=1000, share=0)) == fit_to_budget(
        base, athletes=CLUB.total, read_daily=1000
    )
    unlimited = Spare(read_daily=10**9)
    assert spare_cadence(base, SMALL, unlimited) == fit_to_budget(
        base, athletes=SMALL.total, read_daily=10**9
    )
    polling = Cadence(webhooks=False)
    assert spare_cadence(polling, SMALL, Spare(read_daily=1000)) == fit_to_budget(
        polling, athletes=SMALL.total, read_daily=1000
    )


def test_edge_cases_never_divide_by_zero() -> None:
    assert spare_cadence(Cadence(), Heat(), Spare(read_daily=1000)).refresh_hot_every == 600
    starved = spare_cadence(Cadence(), Heat(hot=10_000), Spare(read_daily=1000))
    assert starved.refresh_hot_every == LONGEST


def test_token_refreshes_cost_at_most_one_per_token_lifetime() -> None:
    assert reads_per_day(3600, count_tokens=False) == 24
    assert reads_per_day(3600, count_tokens=True) == 24 + 4  # tokens live 6 h
    assert reads_per_day(12 * 3600, count_tokens=True) == 4  # each listing needs a new one


def _view(last_activity: timedelta) -> AthleteView:
    return AthleteView(
        athlete_id=7,
        backfill_done=True,
        has_first_page=True,
        requested_mode=None,
        enrich_pending=False,
        last_incremental_at=None,
        last_refresh_at=NOW,
        last_reconcile_at=NOW,
        last_activity_at=NOW - last_activity,
        first_synced_at=NOW - timedelta(days=30),
    )


def test_the_planner_picks_the_interval_by_heat() -> None:
    cadence = Cadence(refresh_hot_every=900, refresh_active_every=1800, refresh_inactive_every=7200)
    assert refresh_due(_view(timedelta(hours=5)), NOW, cadence) == NOW + timedelta(seconds=900)
    assert refresh_due(_view(timedelta(days=3)), NOW, cadence) == NOW + timedelta(seconds=1800)
    assert refresh_due(_view(timedelta(days=30)), NOW, cadence) == NOW + timedelta(seconds=7200)


def test_a_history_of_details_is_fetched_at_the_backfill_class() -> None:
    assert history_priority(51, 50, automatic=True) is Priority.BACKFILL
    assert history_priority(50, 50, automatic=True) is Priority.ENRICH  # new uploads
    assert history_priority(500, 50, automatic=False) is Priority.ENRICH  # a request keeps its
