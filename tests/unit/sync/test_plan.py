from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stravasync.sync.planning.plan import AthleteView, Cadence, Mode, due_modes, next_due, pick_mode

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def view(**kw: object) -> AthleteView:
    base: dict[str, object] = {
        "athlete_id": 1,
        "backfill_done": True,
        "has_first_page": True,
        "requested_mode": None,
        "enrich_pending": False,
        "last_incremental_at": NOW - timedelta(minutes=10),
        "last_refresh_at": NOW - timedelta(hours=1),
        "last_reconcile_at": NOW - timedelta(days=1),
        "last_activity_at": NOW - timedelta(days=1),
        "first_synced_at": NOW - timedelta(days=30),
    }
    base.update(kw)
    return AthleteView(**base)  # type: ignore[arg-type]


POLLING = Cadence(webhooks=False)


def test_never_synced_athlete_needs_backfill_now() -> None:
    v = view(backfill_done=False, has_first_page=False, last_incremental_at=None)
    assert pick_mode(v, NOW, POLLING) is Mode.BACKFILL
    assert next_due(v, NOW, POLLING) == NOW


def test_requested_mode_wins() -> None:
    assert pick_mode(view(requested_mode="reconcile"), NOW, POLLING) is Mode.RECONCILE


def test_seed_thresholds_without_webhooks() -> None:
    # synced 30 minutes ago: too soon for anyone
    assert pick_mode(view(last_incremental_at=NOW - timedelta(minutes=30)), NOW, POLLING) is None
    # active athlete (activity yesterday): due after 2 h
    active = view(last_incremental_at=NOW - timedelta(hours=2, minutes=1))
    assert pick_mode(active, NOW, POLLING) is Mode.INCREMENTAL
    # dormant athlete (last activity 30 days ago): not yet at 3 h, due at 4 h
    dormant = view(
        last_activity_at=NOW - timedelta(days=30), last_incremental_at=NOW - timedelta(hours=3)
    )
    assert pick_mode(dormant, NOW, POLLING) is None
    assert due_modes(dormant, NOW, POLLING)[Mode.INCREMENTAL] == NOW + timedelta(hours=1)


def test_skip_recent_is_a_floor_and_always_is_a_ceiling() -> None:
    eager = Cadence(webhooks=False, active_every=600, skip_recent=3600)
    v = view(last_incremental_at=NOW - timedelta(minutes=20))
    assert due_modes(v, NOW, eager)[Mode.INCREMENTAL] == NOW + timedelta(minutes=40)
    lazy = Cadence(webhooks=False, inactive_every=24 * 3600, always_every=6 * 3600)
    dormant = view(last_activity_at=None, last_incremental_at=NOW - timedelta(hours=6))
    assert pick_mode(dormant, NOW, lazy) is Mode.INCREMENTAL


def test_with_webhooks_polling_is_a_refresh_safety_net() -> None:
    cad = Cadence(webhooks=True)
    v = view(last_refresh_at=NOW - timedelta(hours=11))
    assert Mode.INCREMENTAL not in due_modes(v, NOW, cad)
    assert pick_mode(v, NOW, cad) is None
    v = view(last_refresh_at=NOW - timedelta(hours=12))
    assert pick_mode(v, NOW, cad) is Mode.REFRESH
    dormant = view(
        last_activity_at=NOW - timedelta(days=20), last_refresh_at=NOW - timedelta(hours=12)
    )
    assert pick_mode(dormant, NOW, cad) is None


def test_enrich_runs_when_nothing_more_urgent_is_due() -> None:
    v = view(enrich_pending=True)
    assert pick_mode(v, NOW, Cadence()) is Mode.ENRICH
    assert pick_mode(v, NOW, Cadence(enrich=False)) is None


def test_reconcile_is_staggered_per_athlete() -> None:
    cad = Cadence()
    first = [
        due_modes(view(athlete_id=i, last_reconcile_at=None), NOW, cad)[Mode.RECONCILE]
        for i in range(1, 50)
    ]
    assert len(set(first)) > 40  # spread, not a burst
    base = NOW - timedelta(days=30) + timedelta(seconds=cad.reconcile_every)
    assert all(base <= t < base + timedelta(seconds=cad.reconcile_every) for t in first)


def test_refresh_cadence_is_fitted_to_the_daily_budget() -> None:
    from stravasync.sync.planning.plan import fit_to_budget

    base = Cadence()
    # 200 athletes x 2 calls on 1,000 reads a day with half for the safety net: 19.2 h
    fitted = fit_to_budget(base, athletes=200, read_daily=1000)
    assert fitted.refresh_active_every == 200 * 2 * 86400 / 500
    assert fitted.refresh_inactive_every == base.refresh_inactive_every  # already slower
    # a small club keeps the configured cadence
    assert fit_to_budget(base, athletes=10, read_daily=1000) == base
    assert fit_to_budget(base, athletes=0, read_daily=1000) == base
