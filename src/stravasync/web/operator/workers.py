"""In-process worker threads for ``serve`` and ``worker``: sync engines and the notifier.

Each engine thread works in bursts (``run_until_idle`` with a deadline). The engines poll the
shared stop flag between units of work and, inside a pass, between pages, so a stop request
(SIGTERM) is honoured within the request in flight: the pass keeps its last checkpoint, the
lease is released and the athlete is due again at once, for whichever process runs next. Nothing
is lost. Between bursts a thread sleeps until the next due time or a wake-up (a webhook event,
an admin request).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from stravasync.clock import Clock, clock_seconds, wall_seconds
from stravasync.config import Settings
from stravasync.notify.policy import RetryPolicy
from stravasync.notify.worker import Deliverer
from stravasync.store import Database
from stravasync.store.pending import syncstate
from stravasync.sync import Engine, build_engine
from stravasync.work import backoff_seconds, describe, new_owner, skew

log = logging.getLogger(__name__)

BURST_SECONDS = 20.0
IDLE_MAX_SECONDS = 30.0  # wall seconds: work another process adds unannounced is seen within it
IDLE_MIN_SECONDS = 0.05


def idle_wait(clock: Clock, due: datetime | None) -> float:
    """Wall seconds an idle engine thread sleeps: until the next work is due (in the clock's
    seconds, so a scaled clock's speed shortens it), at most ``IDLE_MAX_SECONDS``."""
    if due is None:
        return IDLE_MAX_SECONDS
    until_due = wall_seconds(clock, (due - clock.now()).total_seconds())
    return min(IDLE_MAX_SECONDS, max(until_due, IDLE_MIN_SECONDS))


def cron_runner(
    settings: Settings, db: Database, clock: Clock
) -> Callable[[float], dict[str, Any]]:
    """What ``POST /api/cron/sync`` calls: one deadline-bounded burst with a fresh engine."""

    def run(deadline: float) -> dict[str, Any]:
        engine = build_engine(settings, db, clock, trigger="cron")
        return engine.run_until_idle(deadline=deadline).as_json()

    return run


class Workers:
    """A set of threads sharing one stop flag and one wake-up signal."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        *,
        concurrency: int = 1,
        notify: bool = True,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.concurrency = concurrency
        self.notify = notify
        self.stop = threading.Event()
        self.wake_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.skew = skew.SkewWatch(db.engine, clock, settings.clock_skew_tolerance)
        self._repair_lock = threading.Lock()
        self._repaired_at: float | None = None

    def wake(self) -> None:
        self.wake_event.set()

    def start(self) -> None:
        self.skew.current(fresh=True)  # a skewed clock is logged (as an error) at start
        for i in range(self.concurrency):
            engine = build_engine(
                self.settings, self.db, self.clock, stop_requested=self.stop.is_set
            )
            self._spawn(f"engine-{i}", self._engine_loop, engine)
        if self.notify and self.settings.notify_url and self.settings.notify_secret is None:
            log.warning("STRAVASYNC_NOTIFY_URL is set without STRAVASYNC_NOTIFY_SECRET: not sent")
        if self.notify and self.settings.notify_url and self.settings.notify_secret:
            deliverer = Deliverer(
                db=self.db,
                url=self.settings.notify_url,
                secret=self.settings.notify_secret.get_secret_value().encode(),
                clock=self.clock,
                owner=new_owner(),
                timeout=self.settings.notify_timeout,
                policy=RetryPolicy(max_attempts=self.settings.notify_max_attempts),
            )
            self._spawn(
                "notifier", lambda stop: deliverer.run(stop, held=self.skew.refuses), self.stop
            )
        log.info("started %d engine thread(s)", self.concurrency)

    def _spawn(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _engine_loop(self, engine: Engine) -> None:
        """Bursts until shutdown. The loop never dies: a unit's failure is recorded by the unit
        (attempt, error, lease released); a burst that fails as a whole (the database is gone)
        is logged and the next one waits 1, 2, 4 ... 60 s, so a lasting outage is not a spin."""
        failures = 0
        while not self.stop.is_set():
            if self.skew.refuses() is not None:  # logged when measured: claim nothing
                self.stop.wait(skew.RECHECK_SECONDS)
                continue
            try:
                self._repair_skewed_rows()
                report = engine.run_until_idle(deadline=BURST_SECONDS)
                busy = report.synced + report.failed + report.events + report.jobs > 0
                failures = 0
            except Exception as exc:
                failures += 1
                wait = backoff_seconds(failures, cap=IDLE_MAX_SECONDS * 2)
                log.exception(
                    "engine burst failed (%d in a row): %s; next in %.0f s",
                    failures,
                    describe(exc),
                    wait,
                )
                self.stop.wait(wait)
                continue
            if self.stop.is_set():
                break
            if not busy:
                self._idle(engine)

    def _repair_skewed_rows(self) -> None:
        """Undo due times a process whose clock ran ahead wrote (at start, then at most every
        :data:`~stravasync.work.skew.RECHECK_SECONDS`); rate windows repair themselves when
        the budget loads them."""
        with self._repair_lock:
            now_wall = time.monotonic()
            if (
                self._repaired_at is not None
                and now_wall - self._repaired_at < skew.RECHECK_SECONDS
            ):
                return
            self._repaired_at = now_wall
            tolerance = clock_seconds(self.clock, self.settings.clock_skew_tolerance)
            with self.db.transaction() as conn:
                repaired = syncstate.repair_future(conn, self.clock.now(), tolerance)
            if repaired:
                log.warning(
                    "%d athlete(s) had due times written by a clock ahead of ours: repaired",
                    len(repaired),
                )

    def _idle(self, engine: Engine) -> None:
        try:
            due = engine.next_wakeup()
        except Exception:
            due = None
        self.wake_event.wait(idle_wait(self.clock, due))
        self.wake_event.clear()

    def shutdown(self, timeout: float = BURST_SECONDS + 15) -> None:
        """Ask every thread to stop and wait for its current page or unit to end."""
        self.stop.set()
        self.wake_event.set()
        for thread in self.threads:
            thread.join(timeout=timeout)
        alive = [t.name for t in self.threads if t.is_alive()]
        if alive:
            log.warning("threads still running at shutdown: %s", ", ".join(alive))
        else:
            log.info("workers stopped cleanly")
