"""The rate budget every Strava request is reserved against: reserve before, reconcile after.

:class:`SharedBudget` keeps the four counters in the ``rate_budget`` table so every process of
a deployment spends one application quota together (one write transaction per reservation;
row locks on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite). :class:`MemoryBudget` runs the same
pure decisions (:mod:`stravasync.strava.quota.counters`) in one process, for tests and scripts.

A denied reservation raises :class:`BudgetExhausted` carrying ``retry_at``: callers schedule
the work for then, they do not sleep in a loop. A 429 closes the exceeded limit class until
its window resets and is logged as an error of the model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Connection

from stravasync.store import Database
from stravasync.store.operator import admin as admin_q
from stravasync.store.pending import syncstate
from stravasync.strava.errors import BudgetExhausted, RateLimited
from stravasync.strava.quota import budget_rows as budget_q
from stravasync.strava.quota import counters as cnt
from stravasync.strava.quota import tiers
from stravasync.strava.quota.counters import Counter, Denial
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority

log = logging.getLogger(__name__)


class Budget(Protocol):
    def reserve(self, priority: Priority, *, read: bool = True, now: datetime) -> None:
        """Count one request, or raise :class:`BudgetExhausted` (nothing may be sent)."""
        ...

    def reconcile(
        self, headers: Mapping[str, str], now: datetime, *, sent_at: datetime | None = None
    ) -> None:
        """Correct the counters from a response's rate-limit headers."""
        ...

    def on_429(
        self, headers: Mapping[str, str], now: datetime, *, read: bool = True
    ) -> RateLimited:
        """Record a 429: close the exceeded limit class; return the error to raise."""
        ...


def _log_429(denial: Denial, now: datetime) -> None:
    log.error(
        "Strava answered 429: the rate budget model was wrong; %s closed until %s",
        denial.limit_class,
        denial.retry_at.isoformat(),
        extra={"limit_class": denial.limit_class, "retry_at": denial.retry_at.isoformat()},
    )


class MemoryBudget:
    """The budget in one process's memory (thread-safe); same decisions as the shared one."""

    def __init__(self, limits: Limits, policy: Policy | None = None) -> None:
        self.limits = limits
        self.policy = policy or Policy()
        self._counters: list[Counter] | None = None
        self._lock = threading.Lock()
        self.history: list[Counter] = []

    def _rolled(self, now: datetime) -> list[Counter]:
        if self._counters is None:
            self._counters = cnt.fresh_counters(self.limits, now)
        out: list[Counter] = []
        for c in self._counters:
            rolled, finished = cnt.roll(c, now, self.limits)
            if finished is not None:
                self.history.append(finished)
            out.append(rolled)
        self._counters = out
        return out

    def reserve(self, priority: Priority, *, read: bool = True, now: datetime) -> None:
        with self._lock:
            result = cnt.decide(self._rolled(now), priority, read=read, now=now, policy=self.policy)
            if isinstance(result, Denial):
                raise BudgetExhausted(result.retry_at, result.limit_class)
            self._counters = result

    def reconcile(
        self, headers: Mapping[str, str], now: datetime, *, sent_at: datetime | None = None
    ) -> None:
        usage = cnt.parse_headers(headers)
        if not usage:
            return
        with self._lock:
            self._counters = cnt.reconcile(
                self._rolled(now), usage, sent_at=sent_at or now, now=now, configured=self.limits
            )

    def on_429(
        self, headers: Mapping[str, str], now: datetime, *, read: bool = True
    ) -> RateLimited:
        with self._lock:
            counters, denial = cnt.close_on_429(
                self._rolled(now), cnt.parse_headers(headers), read=read, now=now
            )
            self._counters = counters
        _log_429(denial, now)
        return RateLimited(denial.retry_at, denial.limit_class)

    def snapshot(self, now: datetime) -> list[Counter]:
        with self._lock:
            return list(self._rolled(now))


class SharedBudget:
    """The budget in the database, shared by every process using it.

    ``limits`` are the configured ceilings (Settings: ``rate_tier`` or explicit values);
    Strava's headers may lower the effective limit, never raise it above these.
    """

    def __init__(
        self,
        db: Database,
        limits: Limits,
        policy: Policy | None = None,
        *,
        skew_tolerance: float | None = None,
    ) -> None:
        """``skew_tolerance``: seconds (of the clock ``now`` comes from) beyond which a window
        or close in the future was written by a skewed clock and is repaired on load
        (:func:`~stravasync.strava.quota.counters.unskew`); None: stored windows are trusted."""
        self.db = db
        self.limits = limits
        self.policy = policy or Policy()
        self.skew_tolerance = skew_tolerance

    def _load(self, conn: Connection, now: datetime) -> tuple[list[Counter], list[Counter]]:
        """(stored, rolled to ``now``) counters, locked; finished windows are archived."""
        stored = budget_q.load(conn, lock=True)
        if len(stored) < len(cnt.ALL_KEYS):
            budget_q.ensure(conn, cnt.fresh_counters(self.limits, now), now)
            stored = budget_q.load(conn, lock=True)
        if self.skew_tolerance is not None:
            stored = self._unskew(conn, stored, now, self.skew_tolerance)
        rolled: list[Counter] = []
        finished: list[Counter] = []
        for c in stored:
            new, done = cnt.roll(c, now, self.limits)
            rolled.append(new)
            if done is not None:
                finished.append(done)
        if finished:
            budget_q.archive(conn, finished)
        return stored, rolled

    def _unskew(
        self, conn: Connection, stored: list[Counter], now: datetime, tolerance: float
    ) -> list[Counter]:
        """``stored`` with windows and closes a skewed clock wrote in the future undone (saved),
        and the athletes their refusals deferred made due again (issue 25)."""
        fixed = [cnt.unskew(c, now, tolerance) for c in stored]
        pairs = [(a, b) for a, b in zip(fixed, stored, strict=True) if a != b]
        if not pairs:
            return stored
        bad = [b for _, b in pairs]
        # a refusal by a bad counter deferred work into its future window or to its close
        times: list[datetime | None] = [
            b.window_start for a, b in pairs if a.window_start != b.window_start
        ]
        times += [b.closed_until for a, b in pairs if a.closed_until != b.closed_until]
        margin = timedelta(seconds=self.policy.guard + 1)
        since = min(t for t in times if t is not None) - margin
        until = max(max(c.window_end, c.closed_until or c.window_end) for c in bad) + margin
        budget_q.save(conn, [a for a, _ in pairs], now)
        undone = syncstate.undo_deferral(conn, since=since, until=until, now=now)
        log.warning(
            "rate budget %s written by a clock ahead of ours (window from %s): repaired to "
            "the current window; %d athlete(s) it deferred are due again",
            ", ".join(c.name for c in bad),
            min(c.window_start for c in bad).isoformat(),
            undone,
        )
        return fixed

    @staticmethod
    def _record_stated(conn: Connection, usage: cnt.Usage, now: datetime) -> None:
        """Keep the limits Strava stated (the counters hold them capped by the configured
        ones): one read of a primary key, and a write only when they changed."""
        stated = tiers.stated_limits(usage)
        if stated is None:
            return
        if tiers.changed(stated, admin_q.get_setting(conn, tiers.STATED_LIMITS_KEY)):
            admin_q.put_setting(conn, tiers.STATED_LIMITS_KEY, tiers.as_json(stated), now=now)

    @staticmethod
    def _save(
        conn: Connection, stored: Sequence[Counter], after: Sequence[Counter], now: datetime
    ) -> None:
        changed = [a for a, b in zip(after, stored, strict=True) if a != b]
        if changed:
            budget_q.save(conn, changed, now)

    def reserve(self, priority: Priority, *, read: bool = True, now: datetime) -> None:
        with self.db.transaction() as conn:
            stored, counters = self._load(conn, now)
            result = cnt.decide(counters, priority, read=read, now=now, policy=self.policy)
            after = counters if isinstance(result, Denial) else result
            self._save(conn, stored, after, now)
        if isinstance(result, Denial):
            raise BudgetExhausted(result.retry_at, result.limit_class)

    def reconcile(
        self, headers: Mapping[str, str], now: datetime, *, sent_at: datetime | None = None
    ) -> None:
        usage = cnt.parse_headers(headers)
        if not usage or not self._reconcile_changes(usage, now, sent_at or now):
            return
        with self.db.transaction() as conn:
            stored, counters = self._load(conn, now)
            after = cnt.reconcile(
                counters, usage, sent_at=sent_at or now, now=now, configured=self.limits
            )
            self._save(conn, stored, after, now)
            self._record_stated(conn, usage, now)

    def _reconcile_changes(self, usage: cnt.Usage, now: datetime, sent_at: datetime) -> bool:
        """Whether reconciling ``usage`` would write anything, judged without a lock.

        Nearly every answer reports no more than we reserved (we count before sending), so
        the four counters' rows are locked only when a header raises a count or a limit, a
        window rolls, a skewed window needs repair or Strava states new limits: workers then
        contend for those rows once per request (the reservation), not twice. Safe against a
        concurrent writer: counts only rise within a window, and an answer never touches a
        window other than the one it was sent in."""
        with self.db.snapshot() as conn:
            stored = budget_q.load(conn, lock=False)
            stated = tiers.stated_limits(usage)
            if stated is not None and tiers.changed(
                stated, admin_q.get_setting(conn, tiers.STATED_LIMITS_KEY)
            ):
                return True
        if len(stored) < len(cnt.ALL_KEYS):
            return True
        tolerance = self.skew_tolerance
        if tolerance is not None and any(cnt.unskew(c, now, tolerance) != c for c in stored):
            return True
        rolled = [cnt.roll(c, now, self.limits) for c in stored]
        if any(done is not None for _, done in rolled):
            return True
        counters = [c for c, _ in rolled]
        after = cnt.reconcile(counters, usage, sent_at=sent_at, now=now, configured=self.limits)
        return after != list(stored)

    def on_429(
        self, headers: Mapping[str, str], now: datetime, *, read: bool = True
    ) -> RateLimited:
        usage = cnt.parse_headers(headers)
        with self.db.transaction() as conn:
            stored, counters = self._load(conn, now)
            counters = cnt.reconcile(counters, usage, sent_at=now, now=now, configured=self.limits)
            after, denial = cnt.close_on_429(counters, usage, read=read, now=now)
            self._save(conn, stored, after, now)
            self._record_stated(conn, usage, now)
        _log_429(denial, now)
        return RateLimited(denial.retry_at, denial.limit_class)

    def repair(self, now: datetime, tolerance: float) -> list[str]:
        """Undo windows and closes a skewed clock wrote in the future, and the deferrals they
        caused (``stravasync reset-stuck``); the names of the counters repaired."""
        with self.db.transaction() as conn:
            stored = budget_q.load(conn, lock=True)
            fixed = self._unskew(conn, stored, now, tolerance)
        return [a.name for a, b in zip(fixed, stored, strict=True) if a != b]

    def snapshot(self, now: datetime) -> list[Counter]:
        """The four counters as of ``now`` (rolled, not written): for dashboards and metrics."""
        with self.db.engine.connect() as conn:
            counters = budget_q.load(conn, lock=False)
        if not counters:
            return cnt.fresh_counters(self.limits, now)
        return [cnt.roll(c, now, self.limits)[0] for c in counters]

    def history(self, *, since: datetime | None = None) -> list[Counter]:
        """Finished windows archived in ``rate_history``, oldest first."""
        with self.db.engine.connect() as conn:
            return budget_q.history(conn, since=since)
