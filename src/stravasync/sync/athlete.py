"""One claimed athlete: pick the mode, run it, and decide what happens next.

Outcomes are values: a pass either completes (next due time from the planner), is deferred for
budget (due again when the budget reopens, no attempt spent), is cancelled, or fails (retry with
backoff, dead letter after N attempts). A revoked token stops the athlete until they reconnect.
"""

from __future__ import annotations

import enum
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from stravasync.clock import Clock, from_epoch
from stravasync.store import Database
from stravasync.store.mirror.activities import count_live, newest_start
from stravasync.store.pending import sessions as sessions_q
from stravasync.store.pending import syncstate
from stravasync.store.schema import sync_state
from stravasync.strava.errors import (
    Deferred,
    NotConnected,
    ScopeMissing,
    StravaError,
    TokenRevoked,
    Unauthorized,
)
from stravasync.sync import mirror
from stravasync.sync.config import EngineConfig
from stravasync.sync.context import (
    Cancelled,
    LeaseLost,
    PassContext,
    StopRequested,
    TokenSource,
    run_authorized,
)
from stravasync.sync.outcomes.progress import PageHook
from stravasync.sync.outcomes.stages import port_delta, stage_seconds
from stravasync.sync.passes import MODE_PRIORITY, PassResult, pass_priority, run_mode
from stravasync.sync.planning.plan import AthleteView, Mode, next_due, pick_mode, upcoming_mode
from stravasync.sync.port import StravaPort
from stravasync.work import DeadLetter, describe, leases, on_failure

log = logging.getLogger(__name__)


ENRICH_WAIT = timedelta(minutes=15)
WAIT_FOR_HISTORY = frozenset({Mode.ENRICH, Mode.REFRESH, Mode.RECONCILE})


class Outcome(enum.StrEnum):
    SYNCED = "synced"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    FAILED = "failed"
    CANCELLED = "cancelled"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class AthleteRun:
    athlete_id: int
    outcome: Outcome
    mode: Mode | None
    session_id: str | None
    calls: int
    result: PassResult | None = None
    error: str | None = None
    retry_at: datetime | None = None


def view_of(state: dict[str, Any]) -> AthleteView:
    return AthleteView(
        athlete_id=int(state["athlete_id"]),
        backfill_done=bool(state["backfill_done"]),
        has_first_page=state.get("backfill_before") is not None or bool(state["backfill_done"]),
        requested_mode=state.get("requested_mode"),
        enrich_pending=bool(state.get("enrich_pending")),
        last_incremental_at=state.get("last_incremental_at"),
        last_refresh_at=state.get("last_refresh_at"),
        last_reconcile_at=state.get("last_reconcile_at"),
        last_activity_at=state.get("last_activity_at"),
        first_synced_at=state.get("first_synced_at"),
    )


class AthleteRunner:
    def __init__(
        self,
        db: Database,
        cfg: EngineConfig,
        port: StravaPort,
        tokens: TokenSource,
        clock: Clock,
        owner: str,
        rng: random.Random,
        trigger: str = "scheduler",
        should_stop: Callable[[], bool] = lambda: False,
        on_page: PageHook | None = None,
    ) -> None:
        self.db, self.cfg, self.port, self.tokens = db, cfg, port, tokens
        self.clock, self.owner, self.rng, self.trigger = clock, owner, rng, trigger
        self.should_stop, self.on_page = should_stop, on_page

    def _release(self, athlete_id: int, values: dict[str, Any]) -> None:
        with self.db.transaction() as conn:
            leases.release(
                conn,
                sync_state,
                key="athlete_id",
                ident=athlete_id,
                owner=self.owner,
                values={**values, "updated_at": self.clock.now()},
            )

    def run(self, state: dict[str, Any]) -> AthleteRun:
        athlete_id = int(state["athlete_id"])
        now = self.clock.now()
        view = view_of(state)
        mode = pick_mode(view, now, self.cfg.cadence)
        if mode is None:
            self._release(athlete_id, {"due_at": next_due(view, now, self.cfg.cadence)})
            return AthleteRun(athlete_id, Outcome.SKIPPED, None, None, 0)
        if mode in WAIT_FOR_HISTORY and not view.requested_mode and self._history_owed():
            # everyone's summary history before anyone's details or safety-net re-listing
            self._release(athlete_id, {"due_at": now + ENRICH_WAIT, "next_mode": str(mode)})
            return AthleteRun(athlete_id, Outcome.SKIPPED, mode, None, 0)
        with self.db.transaction() as conn:
            if state.get("lease_owner") is not None:
                # we took over an expired lease: its holder died, and with it its session
                sessions_q.close_interrupted(conn, now=now, athlete_ids=[athlete_id])
            session_id = sessions_q.start_session(
                conn, athlete_id=athlete_id, mode=str(mode), trigger=self.trigger, now=now
            )
        ctx = PassContext(
            self.db,
            self.cfg,
            self.port,
            self.tokens,
            self.clock,
            athlete_id,
            self.owner,
            session_id,
            should_stop=self.should_stop,
            priority=pass_priority(mode, state),
            on_page=self.on_page,
        )
        calls_before = self.port.calls
        ctx.started, ctx.port_before = time.monotonic(), dict(self.port.seconds)
        try:
            ctx.between_pages()  # a cancel asked for before this pass started
            ctx.token = self.tokens.access_token(athlete_id, now, priority=ctx.priority)

            def attempt(resumed: bool) -> PassResult:
                # after a 401 and a new token: resume from the checkpoint
                nonlocal state
                if resumed:
                    with self.db.engine.connect() as conn:
                        state = syncstate.get_state(conn, athlete_id) or state
                return run_mode(mode, ctx, state)

            # a 401 gets a new token; only a rejected refresh token stops the athlete
            result = run_authorized(ctx, attempt)
        except StopRequested:
            return self._end(
                ctx,
                mode,
                Outcome.DEFERRED,
                calls_before,
                None,
                {"due_at": self.clock.now()},
                error="stopped at a checkpoint (run limit or shutdown)",
            )
        except LeaseLost:
            return self._end(ctx, mode, Outcome.LOST, calls_before, None, {})
        except Cancelled:
            return self._end(
                ctx,
                mode,
                Outcome.CANCELLED,
                calls_before,
                None,
                {
                    "cancel_requested": False,
                    "requested_mode": None,
                    "due_at": next_due(view, self.clock.now(), self.cfg.cadence)
                    + timedelta(seconds=self.cfg.cadence.skip_recent),
                },
            )
        except Deferred as exc:
            if not state.get("requested_mode"):
                self._defer_waiting(mode, exc.retry_at)
            return self._end(
                ctx,
                mode,
                Outcome.DEFERRED,
                calls_before,
                None,
                {"due_at": exc.retry_at, "next_mode": str(mode)},
                error=str(exc),
                retry_at=exc.retry_at,
            )
        except (TokenRevoked, Unauthorized, ScopeMissing, NotConnected) as exc:
            return self._stop_athlete(ctx, mode, calls_before, exc)
        except StravaError as exc:
            return self._failed(ctx, mode, calls_before, state, str(exc))
        except Exception as exc:  # a bug, an input out of range, a full disk: same policy
            log.exception("sync pass failed unexpectedly", extra={"athlete_id": athlete_id})
            return self._failed(ctx, mode, calls_before, state, describe(exc))
        return self._done(ctx, mode, calls_before, result)

    def _history_owed(self) -> bool:
        with self.db.engine.connect() as conn:
            return syncstate.backfill_owed(conn)

    def _defer_waiting(self, mode: Mode, until: datetime) -> None:
        """The budget refused this class: every athlete waiting on it (or a lower class) waits."""
        floor = MODE_PRIORITY[mode]
        modes = [str(m) for m, p in MODE_PRIORITY.items() if p >= floor]
        with self.db.transaction() as conn:
            syncstate.defer_waiting(conn, modes=modes, until=until, now=self.clock.now())

    def _done(
        self, ctx: PassContext, mode: Mode, calls_before: int, result: PassResult
    ) -> AthleteRun:
        now = self.clock.now()
        with self.db.engine.connect() as conn:
            fresh = syncstate.get_state(conn, ctx.athlete_id) or {}
            newest = newest_start(conn, ctx.athlete_id)
        if newest is not None and (fresh.get("newest_start") or 0) < newest:
            # an upload a webhook brought in makes the athlete hot before any listing saw it
            fresh = {**fresh, "newest_start": newest, "last_activity_at": from_epoch(newest)}
        requested = fresh.get("requested_mode")
        keep_request = requested == str(mode) and not result.complete
        view = view_of({**fresh, "requested_mode": requested if keep_request else None})
        due = now if not result.complete else next_due(view, now, self.cfg.cadence)
        upcoming = mode if not result.complete else upcoming_mode(view, now, self.cfg.cadence)
        values: dict[str, Any] = {
            "due_at": due,
            "next_mode": str(upcoming) if upcoming else None,
            "attempts": 0,
            "last_error": None,
            "last_success_at": now,
            "requested_mode": requested if keep_request or requested != str(mode) else None,
            "newest_start": fresh.get("newest_start"),
            "last_activity_at": fresh.get("last_activity_at"),
        }
        if requested and requested != str(mode):
            values["due_at"] = now
        # Recounted after every pass, changed or not: a killed pass stored pages without
        # counting them, and the pass after it may find nothing new (one indexed COUNT, and a
        # stats fingerprint that recomputes only when the rows differ from the cached stats).
        stats_started = time.monotonic()
        with self.db.transaction() as conn:
            values["activity_count"] = count_live(conn, ctx.athlete_id)
            mirror.refresh_stats(conn, ctx.athlete_id, now, self.cfg)
        ctx.measured["stats"] = time.monotonic() - stats_started
        return self._end(ctx, mode, Outcome.SYNCED, calls_before, result, values)

    def _failed(
        self,
        ctx: PassContext,
        mode: Mode,
        calls_before: int,
        state: dict[str, Any],
        error: str,
    ) -> AthleteRun:
        now = self.clock.now()
        decision = on_failure(self.cfg.retry, int(state.get("attempts") or 0), now, self.rng)
        values: dict[str, Any] = {
            "last_error": error[:500],
            "last_error_at": now,
            "attempts": decision.attempts,
        }
        if isinstance(decision, DeadLetter):
            values.update(dead=True, due_at=now)
        else:
            values["due_at"] = decision.at
        log.warning("sync failed: %s", error, extra={"athlete_id": ctx.athlete_id})
        return self._end(ctx, mode, Outcome.FAILED, calls_before, None, values, error=error)

    def _stop_athlete(
        self, ctx: PassContext, mode: Mode, calls_before: int, exc: StravaError
    ) -> AthleteRun:
        now = self.clock.now()
        with self.db.transaction() as conn:
            mirror.mark_reconnect_needed(conn, self.cfg, ctx.athlete_id, now, str(exc))
        return self._end(
            ctx,
            mode,
            Outcome.FAILED,
            calls_before,
            None,
            {"last_error": str(exc)[:500], "last_error_at": now, "due_at": now},
            error=str(exc),
        )

    def _end(
        self,
        ctx: PassContext,
        mode: Mode,
        outcome: Outcome,
        calls_before: int,
        result: PassResult | None,
        values: dict[str, Any],
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> AthleteRun:
        now = self.clock.now()
        calls = self.port.calls - calls_before
        summary = result.as_json() if result else {}
        if ctx.started:
            measured = {**port_delta(ctx.port_before, self.port.seconds), **ctx.measured}
            summary["stage_seconds"] = stage_seconds(time.monotonic() - ctx.started, measured)
        if error:
            summary["error"] = error[:500]
        quiet = outcome is Outcome.DEFERRED and calls == 0
        with self.db.transaction() as conn:
            if outcome is not Outcome.LOST:
                leases.release(
                    conn,
                    sync_state,
                    key="athlete_id",
                    ident=ctx.athlete_id,
                    owner=self.owner,
                    values={**values, "updated_at": now},
                )
            if quiet:
                # Deferred before a single request: nothing happened worth a session.
                sessions_q.discard_session(conn, ctx.session_id)
            else:
                level = "error" if outcome is Outcome.FAILED else "info"
                sessions_q.add_log(
                    conn,
                    ctx.session_id,
                    level=level,
                    now=now,
                    athlete_id=ctx.athlete_id,
                    message=f"{mode} {outcome}",
                    metadata=summary or None,
                )
                sessions_q.finish_session(
                    conn,
                    ctx.session_id,
                    status=str(outcome),
                    now=now,
                    api_calls=calls,
                    summary=summary,
                )
        if quiet:
            return AthleteRun(ctx.athlete_id, outcome, mode, None, 0, result, error, retry_at)
        return AthleteRun(
            ctx.athlete_id, outcome, mode, ctx.session_id, calls, result, error, retry_at
        )
