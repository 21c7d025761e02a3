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
