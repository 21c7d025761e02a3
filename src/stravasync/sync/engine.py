"""The engine: claim one unit of due work, do it, repeat.

Units, most urgent first: a webhook event, a due athlete (the planner picks the mode), a
one-off job (purge), a periodic job. ``run_until_idle`` is the burst mode used by tests,
benchmarks, the cron endpoint and ``stravasync sync``: it returns when nothing is due before its
horizon (the clock's current time, or ``wait`` seconds later: the CLI waits out a budget guard
of a second or two instead of leaving a backfill unfinished), or at a deadline / call cap. The
service loop sleeps until ``next_wakeup()`` or a wake-up signal. A shutdown (``stop_requested``)
is seen like a deadline: between units, and inside a pass between pages, where the pass stops at
its last checkpoint and releases the athlete's lease.

Every unit runs under a heartbeat that renews its (short) lease, and each unit's own handler
turns any failure into a value: an attempt counted, the error recorded, the lease released. What
still escapes (the handler could not write either: the database is gone) is logged here and the
row is left to its lease's expiry; the burst goes on with the next unit.
"""

from __future__ import annotations

import logging
import random
import time
import weakref
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Table

from stravasync.clock import Clock
from stravasync.store import Database
from stravasync.store.pending import event_claims, heat, syncstate
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.schema import jobs, scheduler_jobs, sync_state, webhook_events
from stravasync.strava.client import StravaClient
from stravasync.sync import recovery
from stravasync.sync.athlete import AthleteRunner, Outcome
from stravasync.sync.config import EngineConfig
from stravasync.sync.context import TokenSource
from stravasync.sync.jobs import periodic
from stravasync.sync.outcomes.progress import (
    PageHook,
    ProgressCallback,
    page_reporter,
    requests_left,
)
from stravasync.sync.outcomes.report import RunReport
from stravasync.sync.planning.plan import fit_to_budget
from stravasync.sync.planning.refresh_cadence import Heat, Spare, spare_cadence
from stravasync.sync.planning.streams_policy import StreamsMode, streams_enabled
from stravasync.sync.port import StravaPort
from stravasync.sync.units import process_event, run_job
from stravasync.work import Heartbeat, describe, leases, new_owner

log = logging.getLogger(__name__)

T = TypeVar("T")
POLL_SECONDS = 1.0  # while waiting for due work: how often a stop request is looked at
UNRECORDED_RETRY = timedelta(minutes=1)  # a unit whose failure could not be written


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
        self.on_page: PageHook | None = None  # see watch_progress
        self._stop_requested = stop_requested or (lambda: False)
        self._stop_at: datetime | None = None
        self._max_calls: int | None = None
        self._periodic_ready = False
        self._recovered = False
        self._heartbeat = Heartbeat(every=self.cfg.lease / 3, name=f"heartbeat-{self.owner}")
        weakref.finalize(self, self._heartbeat.close)
        self._fitted: tuple[datetime, EngineConfig] | None = None

    def _should_stop(self) -> bool:
        """True at the run's deadline or call cap, or once the process is shutting down."""
        if self._stop_requested():
            return True
        if self._max_calls is not None and self.port.calls >= self._max_calls:
            return True
        return self._stop_at is not None and self.clock.now() >= self._stop_at

    def _fitted_config(self) -> EngineConfig:
        """The config with the refresh cadence fitted to the daily budget, and streams on or
        off as ``streams_mode`` decides for this many athletes (cached 10 min)."""
        if not self.cfg.read_daily and self.cfg.streams_mode != StreamsMode.AUTO:
            return self.cfg
        now = self.clock.now()
        if self._fitted is None or now - self._fitted[0] > timedelta(minutes=10):
            cadence = self.cfg.cadence
            with self.db.engine.connect() as conn:
                athletes = syncstate.active_count(conn)
                spare_on = bool(self.cfg.read_daily) and self.cfg.refresh_spare_share > 0
                if spare_on and cadence.webhooks:
                    hot, warm, cold = heat.heat_counts(
                        conn, now, hot_hours=cadence.hot_hours, active_days=cadence.active_days
                    )
                    busy = heat.history_owed(
                        conn,
                        now,
                        slice_size=self.cfg.enrich_slice,
                        window=timedelta(seconds=self.cfg.enrich_window),
                    )
            if spare_on and cadence.webhooks and self.cfg.read_daily:
                spare = Spare(
                    read_daily=self.cfg.read_daily,
                    reserve=self.cfg.daily_reserve,
                    share=self.cfg.refresh_spare_share,
                    busy_share=self.cfg.refresh_busy_share,
                    busy=busy,
                    count_tokens=self.cfg.count_token_requests,
                )
                cadence = spare_cadence(cadence, Heat(hot, warm, cold), spare)
            elif self.cfg.read_daily:
                cadence = fit_to_budget(cadence, athletes=athletes, read_daily=self.cfg.read_daily)
            streams = streams_enabled(
                StreamsMode(self.cfg.streams_mode),
                athletes=athletes,
                read_daily=self.cfg.read_daily,
            )
            self._fitted = (now, replace(self.cfg, cadence=cadence, enrich_streams=streams))
        return self._fitted[1]

    def watch_progress(self, callback: ProgressCallback) -> None:
        """Report every applied page (counts, calls, budget left) to ``callback``."""

        def budget_left() -> int | None:
            budget: Any = self.port.client.budget  # the memory and database budgets both count
            snapshot = getattr(budget, "snapshot", None)
            if snapshot is None:
                return None
            return requests_left([(c.used, c.limit) for c in snapshot(self.clock.now())])

        self.on_page = page_reporter(
            callback,
            monotonic=time.monotonic,
            calls=lambda: self.port.calls,
            budget_left=budget_left,
        )

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
            on_page=self.on_page,
        )

    def _guarded(self, table: Table, key: str, ident: Any, work: Callable[[], T]) -> T | None:
        """Run one claimed unit under a heartbeat; None when it failed beyond its own handler.

        The unit's handler records every failure it can; what escapes it could not be written
        (the database is gone, the disk is full). Then the lease is dropped with the row due a
        minute later if that still can be written, else left to expire: either way the burst
        goes on and the row is not claimed again at once."""
        lease = self.cfg.lease

        def renew() -> bool:
            with self.db.transaction() as conn:
                return leases.renew(
                    conn,
                    table,
                    key=key,
                    ident=ident,
                    owner=self.owner,
                    now=self.clock.now(),
                    lease_seconds=lease,
                )

        with self._heartbeat.hold(renew):
            try:
                return work()
            except Exception as exc:
                log.exception(
                    "unit of work failed and its failure could not be recorded: %s",
                    describe(exc),
                    extra={"job": table.name, "unit": str(ident)},
                )
        due = "next_run_at" if table is scheduler_jobs else "due_at"
        try:
            with self.db.transaction() as conn:
                leases.release(
                    conn,
                    table,
                    key=key,
                    ident=ident,
                    owner=self.owner,
                    values={due: self.clock.now() + UNRECORDED_RETRY},
                )
        except Exception as exc:
            log.warning("lease left to expire (%s)", describe(exc), extra={"job": table.name})
        return None

    def step(self, report: RunReport, *, athlete_id: int | None = None) -> bool:
        """Do one unit of due work; False when nothing is due now."""
        if not self._recovered:
            recovery.release_dead_local(self.db, self.clock.now())
            self._recovered = True
        now = self.clock.now()
        lease = self.cfg.lease
        if athlete_id is None:
            with self.db.transaction() as conn:
                event = event_claims.claim_event(
                    conn, owner=self.owner, now=now, lease_seconds=lease
                )
            if event is not None:
                self._guarded(webhook_events, "id", event["id"], lambda: process_event(self, event))
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
            claimed = state
            run = self._guarded(
                sync_state,
                "athlete_id",
                state["athlete_id"],
                lambda: self._runner().run(claimed),
            )
            if run is None:
                report.failed += 1
                report.errors.append(f"athlete {claimed['athlete_id']}: could not be recorded")
                return True
            counter = {
                Outcome.SYNCED: "synced",
                Outcome.SKIPPED: "skipped",
                Outcome.DEFERRED: "deferred",
                Outcome.FAILED: "failed",
                Outcome.CANCELLED: "cancelled",
                Outcome.LOST: "failed",
            }[run.outcome]
            setattr(report, counter, getattr(report, counter) + 1)
            if counter == "failed":
                report.errors.append(f"athlete {run.athlete_id}: {run.error or run.outcome}")
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
                claimed_job = job
                self._guarded(jobs, "id", job["id"], lambda: run_job(self, claimed_job))
                report.jobs += 1
                return True
            if periodic_job is not None:
                due_job = periodic_job
                self._guarded(
                    scheduler_jobs,
                    "name",
                    periodic_job["name"],
                    lambda: periodic.run_due(self, due_job),
                )
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
        wait: float = 0.0,
    ) -> RunReport:
        """Burst: work until nothing is due before the horizon, ``deadline`` seconds pass, or
        the call cap.

        The horizon is the start of the run plus ``wait`` seconds (capped by the deadline):
        work falling due before it (a pass the budget's guard deferred by a second around a
        quarter-hour reset, a lease of a killed process running out) is waited for with
        ``clock.sleep`` instead of being left for the next run. ``max_units`` counts units that
        ran: a deferred pass is not one (``sync --once`` at a reset still syncs once)."""
        report = RunReport()
        calls_before = self.port.calls
        start = self.clock.now()
        # a run inside a run (a periodic job such as the daily flow) keeps the outer bounds
        outer = (self._stop_at, self._max_calls)
        own_stop = start + timedelta(seconds=deadline) if deadline else None
        own_cap = calls_before + max_calls if max_calls is not None else None
        self._stop_at = min((t for t in (outer[0], own_stop) if t is not None), default=None)
        self._max_calls = min((c for c in (outer[1], own_cap) if c is not None), default=None)
        horizon = start + timedelta(seconds=wait)
        if self._stop_at is not None:
            horizon = min(horizon, self._stop_at)
        units = 0
        try:
            while not self._should_stop() and (max_units is None or units < max_units):
                deferred = report.deferred
                if self.step(report, athlete_id=athlete_id):
                    units += report.deferred == deferred
                    continue
                if not self._wait_for_work(horizon, athlete_id):
                    break
        finally:
            self._stop_at, self._max_calls = outer
        report.api_calls = self.port.calls - calls_before
        report.next_due_at = self.next_wakeup(athlete_id=athlete_id)
        return report

    def _wait_for_work(self, horizon: datetime, athlete_id: int | None) -> bool:
        """Sleep until the next work falls due if that is before ``horizon``; False: idle."""
        due = self.next_wakeup(athlete_id=athlete_id)
        if due is None or due > horizon or due <= self.clock.now():
            return False  # nothing before the horizon, or what is due is not ours to claim
        while not self._should_stop():
            left = (due - self.clock.now()).total_seconds()
            if left <= 0:
                return True
            self.clock.sleep(min(left, POLL_SECONDS))
        return False

    def next_wakeup(self, *, athlete_id: int | None = None) -> datetime | None:
        """The earliest time any work can be claimed (None: nothing is scheduled)."""
        with self.db.engine.connect() as conn:
            automatic = not syncstate.scheduler_paused(conn)
            if athlete_id is not None:
                return syncstate.next_due_at(conn, automatic=automatic, athlete_id=athlete_id)
            times = [
                syncstate.next_due_at(conn, automatic=automatic),
                event_claims.next_due_at(conn),
                jobs_q.next_due_at(conn),
                periodic.next_run_at(conn, self.cfg) if automatic else None,
            ]
        present = [t for t in times if t is not None]
        return min(present) if present else None
