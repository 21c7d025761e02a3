"""The simulated worlds: who connects when, who leaves, how long each run lasts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bench.fairness import CONNECT_MARGIN_S, SCHEDULED_RUNS, staggered
from bench.harness import Scenario
from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator

START = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)  # a Monday morning
DAY = 86400.0
HOUR = 3600.0


def heaviest(sim_config: SimConfig, count: int) -> list[int]:
    """The athletes with the longest histories, found on a throwaway copy of the world."""
    sim = Simulator(sim_config, clock=VirtualClock(START))
    sizes = sorted(((len(sim.truth(a)), a) for a in sim.athlete_ids()), reverse=True)
    return [a for _, a in sizes[:count]]


def club_week(
    athletes: int = 200,
    days: float = 7.0,
    seed: int = 11,
    *,
    token_requests_counted: bool = True,
) -> Scenario:
    """A club: members connected before the week (staggered over the first 6 h of a one-day
    warm-up that is not measured), 1% webhook loss, one deauthorization mid-week, and the three
    athletes with the longest histories connecting mid-week, each moved clear of every policy's
    scheduled batch (:data:`bench.fairness.SCHEDULED_RUNS`).

    ``token_requests_counted``: whether the simulated Strava counts ``POST /oauth/token``
    against the limits (undocumented), and the engine is set to match."""
    sim = SimConfig(
        count_token_requests=token_requests_counted,
        seed=seed,
        athletes=athletes,
        history_days=365,
        quota="default",
        webhook_loss=0.01,
        late_connect_fraction=0.0,
        deauth_per_year=0.0,
        start=START,
    )
    late = heaviest(sim, 3)
    regular = [a for a in range(10_000_001, 10_000_001 + athletes) if a not in late]
    spread = 6 * HOUR / max(1, len(regular))
    connects = {a: i * spread for i, a in enumerate(regular)}
    warmup = DAY
    t0 = START.timestamp()
    for i, a in enumerate(late):
        at = warmup + (1.5 + 1.5 * i) * DAY * days / 7.0
        of_day = (t0 + at) % DAY
        connects[a] = at + staggered(of_day, SCHEDULED_RUNS, CONNECT_MARGIN_S) - of_day
    leaver = regular[len(regular) // 2]
    return Scenario(
        name="club-week",
        sim=sim,
        start=START,
        warmup_s=warmup,
        measure_s=days * DAY,
        connects=connects,
        deauths={leaver: warmup + 3.5 * DAY * days / 7.0},
        settings={"budget_count_token_requests": token_requests_counted},
    )


STANDARD_SEED = 28  # 10 athletes, one of them with 3,094 activities (athlete 10000010)


def standard(
    days: float = 7.0,
    warmup_days: float = 3.0,
    seed: int = STANDARD_SEED,
    history_days: int = 365,
) -> Scenario:
    """A Standard app (issue 24): 10 athletes on the default quota, the whole activity on
    (details and streams of every activity, however old), 1% webhook loss, silent edits.

    Nine athletes connect at the start of an unmeasured warm-up long enough for their full
    histories (365 days: 1,307 activities, 2,614 detail and stream reads; ``history_days``
    shortens them to fit a smaller run); the one with the longest history (3,094 activities,
    about 4 years) connects an hour into the measured week: their first full history is timed
    against the quota's optimum (see :mod:`bench.fresh`)."""
    sim = SimConfig(
        seed=seed,
        athletes=10,
        history_days=history_days,
        quota="default",
        heavy_fraction=0.1,
        heavy_history_days=1500,
        webhook_loss=0.01,
        late_connect_fraction=0.0,
        deauth_per_year=0.0,
        start=START,
    )
    heavy = heaviest(sim, 1)[0]
    warmup = warmup_days * DAY
    connects = {a: 60.0 * i for i, a in enumerate(range(10_000_001, 10_000_011)) if a != heavy}
    connects[heavy] = warmup + HOUR
    return Scenario(
        name="standard",
        sim=sim,
        start=START,
        warmup_s=warmup,
        measure_s=days * DAY,
        connects=connects,
        settings={"sync_enrich_streams": True, "sync_enrich_days": 36500},
    )


def backfill(
    athletes: int = 1000,
    seed: int = 5,
    horizon_days: float = 3.0,
    *,
    token_requests_counted: bool = True,
) -> Scenario:
    """Everyone connects at once on the extended quota; a few very long histories.

    ``token_requests_counted``: whether the simulated Strava counts ``POST /oauth/token``
    against the limits (undocumented), and the engine is set to match."""
    sim = SimConfig(
        count_token_requests=token_requests_counted,
        seed=seed,
        athletes=athletes,
        history_days=365,
        quota="extended",
        heavy_fraction=0.01,
        heavy_history_days=2555,
        late_connect_fraction=0.0,
        deauth_per_year=0.0,
        start=START,
    )
    return Scenario(
        name="backfill",
        sim=sim,
        start=START,
        warmup_s=0.0,
        measure_s=horizon_days * DAY,
        connects={a: 0.0 for a in range(10_000_001, 10_000_001 + athletes)},
        quota_tier="extended",
        settings={"budget_count_token_requests": token_requests_counted},
    )


def scaled(scenario: Scenario, **sim_changes: object) -> Scenario:
    return replace(scenario, sim=replace(scenario.sim, **sim_changes))  # type: ignore[arg-type]
