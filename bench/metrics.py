"""Pure figures: percentiles, freshness of observed changes, end-of-run mirror differences.

Nothing here touches a database or a clock: the harness feeds observations in, these functions
turn them into the numbers in ``bench/results/*.json``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Counters Strava changes without any edit (kudos arrive for days, no event) are reported apart
# from real edits: a mirror that lists rarely cannot and need not track them.
from stravasync.store.mirror.summaries import SOCIAL_FIELDS


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100); ``None`` for no values; ``inf`` stays ``inf``."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return float(ordered[min(rank, len(ordered)) - 1])


@dataclass(slots=True)
class Pending:
    """A change waiting to be mirrored: ``kind`` create/update/delete, ``fields`` to match."""

    at: int
    kind: str
    athlete_id: int
    activity_id: int
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Resolved:
    at: int
    kind: str
    athlete_id: int
    activity_id: int
    seen: int | None  # epoch when first mirrored; None if never during the run

    def delay(self, end: int) -> float:
        """Seconds from visible to mirrored; ``inf`` when it never was."""
        return float(self.seen - self.at) if self.seen is not None else math.inf


def real_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in SOCIAL_FIELDS}


def is_mirrored(pending: Pending, row: tuple[dict[str, Any] | None, bool] | None) -> bool:
    """Does a mirror row (summary, tombstoned) reflect the change? ``None``: no row at all."""
    if pending.kind == "delete":
        return row is None or row[1]
    if row is None or row[1]:
        return False
    if pending.kind == "create":
        return True
    summary = row[0] or {}
    return all(summary.get(k) == v for k, v in real_fields(pending.fields).items())


class FreshnessBook:
    """Changes in flight per activity; only the newest per activity is checked.

    When the newest change on an activity is mirrored, the older ones still open are mirrored
    at that moment too (their state was overtaken, which a mirror cannot show separately).
    """

    def __init__(self) -> None:
        self.open: dict[int, list[Pending]] = {}
        self.done: list[Resolved] = []

    def add(self, change: Pending) -> None:
        self.open.setdefault(change.activity_id, []).append(change)

    def pending_ids(self, athlete_id: int | None = None) -> list[int]:
        if athlete_id is None:
            return list(self.open)
        return [a for a, chain in self.open.items() if chain[0].athlete_id == athlete_id]

    def observe(
        self,
        rows: Mapping[int, tuple[dict[str, Any] | None, bool]],
        now: int,
        only: Iterable[int] | None = None,
    ) -> int:
        """Resolve changes seen in ``rows`` (by activity id; absent = no row); count resolved.

        ``only``: the activity ids ``rows`` was read for (default: every open one)."""
        resolved = 0
        for act_id in list(self.open) if only is None else [a for a in only if a in self.open]:
            chain = self.open[act_id]
            if not is_mirrored(chain[-1], rows.get(act_id)):
                continue
            for p in chain:
                self.done.append(Resolved(p.at, p.kind, p.athlete_id, p.activity_id, now))
                resolved += 1
            del self.open[act_id]
        return resolved

    def drop_athlete(self, athlete_id: int) -> None:
        """Forget an athlete's open changes (deauthorized: nothing more can be mirrored)."""
        for act_id in [a for a, c in self.open.items() if c[0].athlete_id == athlete_id]:
            del self.open[act_id]

    def close(self) -> list[Resolved]:
        """Everything, the still open ones as never seen."""
        out = list(self.done)
        for chain in self.open.values():
            out.extend(Resolved(p.at, p.kind, p.athlete_id, p.activity_id, None) for p in chain)
        return out


def freshness(resolved: Iterable[Resolved], kind: str, end: int) -> dict[str, Any]:
    """p50 / p95 / max delay (s) of one kind; never-mirrored ones count as infinitely late."""
    delays = [r.delay(end) for r in resolved if r.kind == kind]
    unseen = sum(1 for d in delays if math.isinf(d))
    return {
        "count": len(delays),
        "unmirrored": unseen,
        "p50_s": _finite(percentile(delays, 50)),
        "p95_s": _finite(percentile(delays, 95)),
        "max_s": _finite(max(delays) if delays else None),
    }


def _finite(value: float | None) -> float | None:
    """JSON has no infinity: a percentile that falls on a never-mirrored change is ``None``."""
    if value is None or math.isinf(value):
        return None
    return round(value, 1)


def detail_differences(truth: Mapping[str, Any], stored: Mapping[str, Any]) -> list[str]:
    """Top-level fields of a stored DetailedActivity that differ from Strava's now.

    ``gear`` is compared by id: its ``distance`` sums the athlete's whole history and changes
    with every new activity, which no mirror of one activity can track.
    """
    out = []
    for key, value in truth.items():
        mine = stored.get(key)
        if key == "gear":
            value = (value or {}).get("id")
            mine = (mine or {}).get("id") if isinstance(mine, Mapping) else mine
        if mine != value:
            out.append(key)
    return out


@dataclass(slots=True)
class MirrorDiff:
    missing: int = 0
    zombies: int = 0
    stale: int = 0  # activities with a differing real (non-social) field
    stale_social: int = 0  # activities differing only in social counters
    stale_fields: dict[str, int] = field(default_factory=dict)
    # stored details against Strava's detail now (activities that have one)
    details_checked: int = 0
    stale_detail: int = 0  # a differing non-social field (description, laps, name...)
    stale_detail_social: int = 0  # differing only in social counters (kudos...)
    stale_detail_fields: dict[str, int] = field(default_factory=dict)
    stale_total: int = 0  # activities stale in their summary, their detail or both
    _stale_ids: set[int] = field(default_factory=set)

    def add_details(
        self, truth: Mapping[int, Mapping[str, Any] | None], stored: Mapping[int, Mapping[str, Any]]
    ) -> None:
        """Compare stored details (by activity id) with Strava's (``None``: not visible)."""
        for act_id, mine in stored.items():
            theirs = truth.get(act_id)
            if theirs is None:
                continue  # gone on Strava: a zombie, counted with the summaries
            self.details_checked += 1
            differing = detail_differences(theirs, mine)
            if not differing:
                continue
            real = [k for k in differing if k not in SOCIAL_FIELDS]
            if not real:
                self.stale_detail_social += 1
                continue
            self.stale_detail += 1
            if act_id not in self._stale_ids:
                self._stale_ids.add(act_id)
                self.stale_total += 1
            for k in real:
                self.stale_detail_fields[k] = self.stale_detail_fields.get(k, 0) + 1

    def add(
        self, truth: Iterable[Mapping[str, Any]], mirror: Mapping[int, Mapping[str, Any]]
    ) -> None:
        by_id = {int(t["id"]): t for t in truth}
        self.missing += len(set(by_id) - set(mirror))
        self.zombies += len(set(mirror) - set(by_id))
        for act_id in set(by_id) & set(mirror):
            mine = mirror[act_id]
            differing = [k for k, v in by_id[act_id].items() if mine.get(k) != v]
            if not differing:
                continue
            if all(k in SOCIAL_FIELDS for k in differing):
                self.stale_social += 1
                continue
            self.stale += 1
            if act_id not in self._stale_ids:
                self._stale_ids.add(act_id)
                self.stale_total += 1
            for k in differing:
                if k not in SOCIAL_FIELDS:
                    self.stale_fields[k] = self.stale_fields.get(k, 0) + 1
