"""Run one policy on one scenario's world and record what its mirror holds, step by step.

The world is a :class:`stravasync.lab.Lab` (simulator + store + our engine, virtual time);
the same seed gives every policy the same athletes, uploads, edits and deletions. Policy
``stravasync`` is the engine with its defaults; the baselines (``bench.baselines``) drive our
client and store on their own schedule with an always-yes budget and no webhooks.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, select

from bench.metrics import FreshnessBook, MirrorDiff, Pending
from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.store.mirror import activities as acts
from stravasync.store.mirror.summaries import DETAIL_ONLY_FIELDS
from stravasync.store.schema import activities as activities_t
from stravasync.store.schema import activity_details
from stravasync.strava.errors import Deferred


@dataclass
class Scenario:
    """A world and a timeline: who connects when, who leaves when, how long it runs."""

    name: str
    sim: SimConfig
    start: datetime
    warmup_s: float  # not measured: initial connects and first syncs
    measure_s: float
    connects: dict[int, float]  # athlete id -> seconds after start
    deauths: dict[int, float] = field(default_factory=dict)  # athlete id -> seconds after start
    quota_tier: str = "default"
    step_s: float = 60.0
    settings: dict[str, Any] = field(default_factory=dict)  # engine settings (Settings names)


@dataclass
class CallLog:
    """Every HTTP response our side received from the simulator: (epoch, endpoint, status)."""

    clock: Any
    rows: list[tuple[int, str, int]] = field(default_factory=list)

    def hook(self, response: httpx.Response) -> None:
        path = response.request.url.path
        name = _endpoint(response.request.method, path)
        self.rows.append((int(self.clock.now().timestamp()), name, response.status_code))


def _endpoint(method: str, path: str) -> str:
    """``GET /api/v3/activities/{id}`` for ids, ``GET /api/v3/gear/{id}`` for gear ids."""
    split = path.split("/")
    parts = [
        "{id}" if p.isdigit() or (i and split[i - 1] == "gear") else p for i, p in enumerate(split)
    ]
    return f"{method} {'/'.join(parts)}"


@dataclass
class RunRecord:
    """Raw material for the figures, kept per policy."""

    policy: str
    start: int
    measure_from: int
    end: int
    calls: list[tuple[int, str, int]]
    resolved: list[Any]
    diff: MirrorDiff
    daily: list[dict[str, Any]]
    athletes: int
    wall_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class Observer:
    """Tracks changes from the simulator's timeline and checks them against the mirror."""

    def __init__(self, lab: Lab, measure_from: int) -> None:
        self.lab = lab
        self.measure_from = measure_from
        self.book = FreshnessBook()
        self.seen_until = measure_from
        self.connected_at: dict[int, int] = {}
        self.gone: set[int] = set()
        self.detail_only_edits = 0
        self.silent: set[tuple[int, int]] = set()  # (at, activity id) Strava sends no event for

    def connected(self, athlete_id: int) -> None:
        self.connected_at.setdefault(athlete_id, int(self.lab.clock.now().timestamp()))

    def poll(self, athlete_id: int | None = None) -> None:
        """Take new changes from the timeline, then check open ones (of ``athlete_id`` only,
        when only that athlete's mirror was touched) against the mirror."""
        now = int(self.lab.clock.now().timestamp())
        if now > self.seen_until and self.connected_at:
            since = datetime.fromtimestamp(self.seen_until, self.lab.clock.now().tzinfo)
            for ch in self.lab.sim.changes(since=since, athlete_ids=sorted(self.connected_at)):
                self._take(ch)
            self.seen_until = now
        ids = self.book.pending_ids(athlete_id)
        if not ids:
            return
        rows: dict[int, tuple[dict[str, Any] | None, bool]] = {}
        with self.lab.db.engine.connect() as conn:
            for i in range(0, len(ids), 900):
                stmt = select(
                    activities_t.c.id, activities_t.c.summary_json, activities_t.c.deleted_at
                ).where(activities_t.c.id.in_(ids[i : i + 900]))
                for row in conn.execute(stmt):
                    rows[row.id] = (row.summary_json, row.deleted_at is not None)
        self.book.observe(rows, now, only=ids)

    def _take(self, ch: Any) -> None:
        if ch.athlete_id in self.gone:
            return
        if ch.kind == "deauth":
            self.gone.add(ch.athlete_id)
            self.book.drop_athlete(ch.athlete_id)
            return
        if ch.activity_id is None or ch.at < self.connected_at.get(ch.athlete_id, math.inf):
            return
        fields = {k: v for k, v in ch.fields.items() if k not in DETAIL_ONLY_FIELDS}
        if ch.kind == "update" and not fields:
            self.detail_only_edits += 1  # e.g. description: not in a summary mirror
            return
        if not ch.webhook:
            self.silent.add((ch.at, ch.activity_id))
        self.book.add(Pending(ch.at, ch.kind, ch.athlete_id, ch.activity_id, fields))


def make_lab(scenario: Scenario, work_dir: Path, db_url: str, *, webhooks: bool) -> Lab:
    work_dir.mkdir(parents=True, exist_ok=True)
    return Lab(
        db_url=db_url,
        sim_config=scenario.sim,
        start=scenario.start,
        work_dir=work_dir,
        webhooks=webhooks,
        seed=scenario.sim.seed,
        overrides=dict(scenario.settings),
    )


def stored_details(conn: Connection, athlete_id: int) -> dict[int, dict[str, Any]]:
    """The stored DetailedActivity of each live activity that has one."""
    stmt = (
        select(activity_details.c.activity_id, activity_details.c.detail_json)
        .join(activities_t, activities_t.c.id == activity_details.c.activity_id)
        .where(activities_t.c.athlete_id == athlete_id, activities_t.c.deleted_at.is_(None))
    )
    return {row.activity_id: dict(row.detail_json or {}) for row in conn.execute(stmt)}


def mirror_diff(lab: Lab, athletes: list[int], *, details: bool = True) -> MirrorDiff:
    """End-of-run differences with the truth at this instant (connected, still-authorized):
    summaries, and with ``details`` every stored detail against the detail Strava gives now."""
    out = MirrorDiff()
    with lab.db.engine.connect() as conn:
        for athlete_id in athletes:
            truth = lab.sim.truth(athlete_id, "activity:read_all")
            out.add(truth, acts.live_summaries(conn, athlete_id))
            if details:
                mine = stored_details(conn, athlete_id)
                out.add_details({a: lab.sim.truth_detail(a) for a in mine}, mine)
    return out


def daily_row(
    record_calls: list[tuple[int, str, int]], day_start: int, day_end: int
) -> dict[str, Any]:
    calls = [c for c in record_calls if day_start <= c[0] < day_end]
    return {
        "api_calls": len(calls),
        "http_429": sum(1 for c in calls if c[2] == 429),
    }


Connector = Callable[[int], None]


class Timeline:
    """Connects and deauthorizations due by now, shared by every policy's driver."""

    def __init__(self, lab: Lab, scenario: Scenario) -> None:
        t0 = scenario.start
        self.lab = lab
        self.connects = sorted((t0 + timedelta(seconds=s), a) for a, s in scenario.connects.items())
        self.deauths = sorted((t0 + timedelta(seconds=s), a) for a, s in scenario.deauths.items())
        self.retry: list[tuple[datetime, int]] = []

    def next_event(self) -> datetime | None:
        times = [t for t, _ in self.connects[:1]] + [t for t, _ in self.deauths[:1]]
        times += [t for t, _ in self.retry]
        return min(times) if times else None

    def due(self, connect: Connector, gone: Callable[[int], None]) -> bool:
        """Run what is due; True when anything happened."""
        now = self.lab.clock.now()
        acted = False
        due_connects = [a for t, a in self.retry if t <= now]
        self.retry = [(t, a) for t, a in self.retry if t > now]
        while self.connects and self.connects[0][0] <= now:
            due_connects.append(self.connects.pop(0)[1])
        for athlete_id in due_connects:
            try:
                connect(athlete_id)
                acted = True
            except Deferred as exc:  # the token exchange itself was out of budget: retry
                self.retry.append((max(exc.retry_at, now + timedelta(seconds=1)), athlete_id))
        while self.deauths and self.deauths[0][0] <= now:
            athlete_id = self.deauths.pop(0)[1]
            self.lab.sim.deauthorize_athlete(athlete_id)
            gone(athlete_id)
            acted = True
        return acted


def calls_by_endpoint(calls: list[tuple[int, str, int]]) -> dict[str, int]:
    return dict(sorted(Counter(c[1] for c in calls).items()))
