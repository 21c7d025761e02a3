"""Pure pieces of the fair comparison (issue 16): steady state, collisions, the safety net.

Nothing here runs a policy: the drivers feed samples and changes in, these functions turn
them into the figures beside the end state in ``bench/results/club-week.json``.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.harness import Scenario

DAY = 86400
SAMPLE_EVERY_S = 3600
STEADY_FIELDS = ("missing", "zombies", "stale", "stale_detail")
HOUR = 3600
# every policy's batches as (first offset in the UTC day, period), periods of an hour or more:
# seed001 every 6 h from 00:00, seed003 Mondays 02:00, seed004 05:00 London (05:00 UTC in
# the club-week's March), daily-relist 03:00
SCHEDULED_RUNS = ((0.0, 6.0 * HOUR), (2.0 * HOUR, DAY), (5.0 * HOUR, DAY), (3.0 * HOUR, DAY))
CONNECT_MARGIN_S = 45 * 60  # a 50-athlete batch with 1 s pauses is over well within this


def sample_times(measure_from: int, end: int, every: int = SAMPLE_EVERY_S) -> list[int]:
    """The instants of the last measured day (or the whole run, if shorter) at which the
    mirror is compared with the truth: every ``every`` s, the end excluded (it is the end
    state)."""
    first = max(measure_from, end - DAY)
    return list(range(first + every, end, every))


def steady_state(samples: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The median of each count over the samples (``None`` without samples)."""
    out: dict[str, Any] = {"samples": len(samples)}
    for key in STEADY_FIELDS:
        values = [float(s[key]) for s in samples if key in s]
        out[f"{key}_median"] = statistics.median(values) if values else None
    return out


def clear_of(offset_s: float, runs: Iterable[tuple[float, float]], margin_s: float) -> bool:
    """Is a connect at ``offset_s`` (seconds into the day, UTC) at least ``margin_s`` away
    from every scheduled run ``(first offset in the day, period)``?"""
    for first, period in runs:
        phase = (offset_s - first) % period
        if min(phase, period - phase) < margin_s:
            return False
    return True


def staggered(offset_s: float, runs: Iterable[tuple[float, float]], margin_s: float) -> float:
    """The first instant at or after ``offset_s`` (minute steps, within a day) clear of every
    scheduled run of period >= an hour (a 15-minute poll collides with everything; it is not
    a collision of our making)."""
    slow = [(f, p) for f, p in runs if p >= 3600]
    for step in range(0, DAY, 60):
        if clear_of(offset_s + step, slow, margin_s):
            return offset_s + step
    raise ValueError("no connect time clear of the scheduled runs")


Change = tuple[int, str, int]  # (visible at, kind, activity id)


def safety_net_catches(
    ours: Iterable[Sequence[Any]],
    webhook_only: Iterable[Sequence[Any]],
    silent: Iterable[Sequence[Any]],
) -> dict[str, Any]:
    """Changes our engine mirrored and webhook-only never did, by kind and by why
    (``silent``: Strava sends no event; ``pushed``: an event was due but was lost or its fetch
    failed). ``ours``/``webhook_only``: ``[at, kind, activity id, seen]`` rows of the same world."""
    mirrored = {(int(r[0]), str(r[1]), int(r[2])) for r in ours if r[3]}
    missed = {(int(r[0]), str(r[1]), int(r[2])) for r in webhook_only if not r[3]}
    quiet = {(int(r[0]), int(r[1])) for r in silent}
    caught = sorted(mirrored & missed)
    why: Counter[str] = Counter()
    for at, kind, act in caught:
        why[f"{kind}_{'silent' if (at, act) in quiet else 'pushed'}"] += 1
    return {
        "caught_only_by_safety_net": len(caught),
        "by_kind_and_cause": dict(sorted(why.items())),
        "webhook_only_never_mirrored": len(missed),
    }


def conditions_for(name: str, scenario: Scenario, conditions: Mapping[str, Any]) -> Scenario:
    """The scenario as policy ``name`` documents its own conditions: its quota, and for a
    single-user tool one athlete (the first member who stays all week) and no deauthorization."""
    if "quota" in conditions:
        scenario = replace(scenario, sim=replace(scenario.sim, quota=conditions["quota"]))
    if conditions.get("single_user"):
        early = sorted(
            (at, a) for a, at in scenario.connects.items()
            if at < scenario.warmup_s and a not in scenario.deauths
        )  # fmt: skip
        first = early[0][1]
        scenario = replace(scenario, connects={first: scenario.connects[first]}, deauths={})
    return scenario
