"""The engine: claim one unit of due work, do it, repeat.

Units, most urgent first: a webhook event, a due athlete (the planner picks the mode), a
one-off job (purge). ``run_until_idle`` is the burst mode used by tests, benchmarks, the cron
endpoint and ``stravasync sync``: it returns when nothing is due at the clock's current time (or
at a deadline / call cap). The service loop sleeps until ``next_wakeup()`` or a wake-up signal.
A shutdown (``stop_requested``) is seen like a deadline: between units, and inside a pass between
pages, where the pass stops at its last checkpoint and releases the athlete's lease.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from stravasync.clock import Clock
from stravasync.store import Database, event_claims, syncstate
from stravasync.store import jobs as jobs_q
from stravasync.strava.client import StravaClient
from stravasync.sync import periodic
from stravasync.sync.athlete import AthleteRunner, Outcome
from stravasync.sync.config import EngineConfig
from stravasync.sync.context import TokenSource
from stravasync.sync.plan import fit_to_budget
from stravasync.sync.port import StravaPort
from stravasync.sync.units import process_event, run_job

log = logging.getLogger(__name__)


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(slots=True)
class RunReport:
    """What a run did (``POST /api/cron/sync`` returns the first five and the session id)."""

    synced: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    cancelled: int = 0
    events: int = 0
    jobs: int = 0
    api_calls: int = 0
    sessions: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "synced": self.synced,
            "failed": self.failed,
            "skipped": self.skipped,
            "deferred": self.deferred,
            "cancelled": self.cancelled,
            "events": self.events,
            "jobs": self.jobs,
            "api_calls": self.api_calls,
            "session_id": self.sessions[-1] if self.sessions else None,
            "sessions": len(self.sessions),
        }


class Engine:
    """Everything a worker needs; one per thread (it holds a lease owner id)."""

    def __init__(
        self,
        *,
        db: Database,
        client: StravaClient,
        tokens: TokenSource,
        clock: Clock,
        cfg: EngineConfig | None = None,
        owner: str | None = None,
        seed: int | None = None,
        trigger: str = "scheduler",
        stop_requested: Callable[[], bool] | None = None,
    ) -> None:
        """``stop_requested``: the service's shutdown flag, polled between units and pages."""
        self.db = db
        self.cfg = cfg or EngineConfig()
        self.port = StravaPort(client)
        self.tokens = tokens
        self.clock = clock
        self.owner = owner or new_owner()
        self.rng = random.Random(seed)
        self.trigger = trigger
        self._stop_requested = stop_requested or (lambda: False)
        self._stop_at: datetime | None = None
        self._max_calls: int | None = None
        self._periodic_ready = False
        self._fitted: tuple[datetime, EngineConfig] | None = None

    def _should_stop(self) -> bool:
        """True at the run's deadline or call cap, or once the process is shutting down."""
        if self._stop_requested():
            return True
        if self._max_calls is not None and self.port.calls >= self._max_calls:
            return True
        return self._stop_at is not None and self.clock.now() >= self._stop_at

    def _fitted_config(self) -> EngineConfig:
        """The config with the refresh cadence fitted to the daily budget (cached 10 min)."""
        if not self.cfg.read_daily:
            return self.cfg
        now = self.clock.now()
        if self._fitted is None or now - self._fitted[0] > timedelta(minutes=10):
            with self.db.engine.connect() as conn:
                athletes = syncstate.active_count(conn)
            cadence = fit_to_budget(
                self.cfg.cadence, athletes=athletes, read_daily=self.cfg.read_daily
            )
            self._fitted = (now, replace(self.cfg, cadence=cadence))
        return self._fitted[1]

    def _runner(self) -> AthleteRunner:
        return AthleteRunner(
            self.db,
            self._fitted_config(),
            self.port,
            self.tokens,
            self.clock,
            self.owner,
            self.rng,
            self.trigger,
            should_stop=self._should_stop,
        )

    def step(self, report: RunReport, *, athlete_id: int | None = None) -> bool:
        """Do one unit of due work; False when nothing is due now."""
        now = self.clock.now()
        lease = self.cfg.lease
        if athlete_id is None:
            with self.db.transaction() as conn:
                event = event_claims.claim_event(
                    conn, owner=self.owner, now=now, lease_seconds=lease
                )
            if event is not None:
                process_event(self, event)
                report.events += 1
                return True
        with self.db.transaction() as conn:
            automatic = not syncstate.scheduler_paused(conn)
            state = syncstate.claim_due_athlete(
                conn,
                owner=self.owner,
                now=now,
                lease_seconds=lease,
                automatic=automatic,
                athlete_id=athlete_id,
            )
        if state is not None:
            run = self._runner().run(state)
            counter = {
                Outcome.SYNCED: "synced",
                Outcome.SKIPPED: "skipped",
                Outcome.DEFERRED: "deferred",
                Outcome.FAILED: "failed",
                Outcome.CANCELLED: "cancelled",
                Outcome.LOST: "failed",
            }[run.outcome]
            setattr(report, counter, getattr(report, counter) + 1)
            if run.session_id:
                report.sessions.append(run.session_id)
            return True
        if athlete_id is None:
            with self.db.transaction() as conn:
                job = jobs_q.claim(conn, owner=self.owner, now=now, lease_seconds=lease)
                periodic_job = None
                if job is None and automatic:
                    if not self._periodic_ready:
                        periodic.ensure_jobs(conn, now, self.cfg)
                        self._periodic_ready = True
                    periodic_job = periodic.claim_due(
                        conn, owner=self.owner, now=now, lease_seconds=lease, cfg=self.cfg
                    )
            if job is not None:
                run_job(self, job)
                report.jobs += 1
                return True
            if periodic_job is not None:
                periodic.run_due(self, periodic_job)
                report.jobs += 1
                return True
        return False

    def run_until_idle(
        self,
        *,
        deadline: float | None = None,
        max_calls: int | None = None,
        athlete_id: int | None = None,
        max_units: int | None = None,
    ) -> RunReport:
        """Burst: work until nothing is due now, ``deadline`` seconds pass, or the call cap."""
        report = RunReport()
        calls_before = self.port.calls
        self._stop_at = self.clock.now() + timedelta(seconds=deadline) if deadline else None
        self._max_calls = calls_before + max_calls if max_calls is not None else None
        units = 0
        try:
            while not self._should_stop() and (max_units is None or units < max_units):
                if not self.step(report, athlete_id=athlete_id):
                    break
                units += 1
        finally:
            self._stop_at = None
            self._max_calls = None
        report.api_calls = self.port.calls - calls_before
        return report

    def next_wakeup(self) -> datetime | None:
        """The earliest time any work falls due (None: nothing is scheduled)."""
        with self.db.engine.connect() as conn:
            automatic = not syncstate.scheduler_paused(conn)
            times = [
                syncstate.next_due_at(conn, automatic=automatic),
                event_claims.next_due_at(conn),
                jobs_q.next_due_at(conn),
                periodic.next_run_at(conn, self.cfg) if automatic else None,
            ]
        present = [t for t in times if t is not None]
        return min(present) if present else None
