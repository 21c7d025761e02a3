"""The shared budget on SQLite and PostgreSQL: exact counts under concurrency, rollover, 429."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from stravasync.store import Database
from stravasync.strava.errors import BudgetExhausted
from stravasync.strava.quota import budget_rows as budget_q
from stravasync.strava.quota.budget import SharedBudget
from stravasync.strava.quota.ratelimit import Limits, Policy, Priority
from stravasync.strava.quota.windows import Window

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LIMITS = Limits(overall_15min=40, overall_daily=1000, read_15min=30, read_daily=1000)


def test_concurrent_reservations_never_exceed_the_limit(db_url: str) -> None:
    now = T0 + timedelta(minutes=14)  # late in the window: no pacing in the way
    handles = [Database.open(db_url, upgrade=False) for _ in range(3)]
    budgets = [SharedBudget(h, LIMITS, Policy()) for h in handles]
    granted: list[int] = []
    lock = threading.Lock()

    def worker(budget: SharedBudget) -> None:
        mine = 0
        for _ in range(25):
            try:
                budget.reserve(Priority.INTERACTIVE, now=now)
                mine += 1
            except BudgetExhausted:
                pass
        with lock:
            granted.append(mine)

    threads = [threading.Thread(target=worker, args=(budgets[i % 3],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(granted) == 30  # read limit, exactly, across 6 threads and 3 engines
    snap = {c.name: c.used for c in budgets[0].snapshot(now)}
    assert snap == {"overall:15min": 30, "overall:daily": 30, "read:15min": 30, "read:daily": 30}
    for h in handles:
        h.close()


def test_rollover_archives_the_finished_window(db: Database) -> None:
    budget = SharedBudget(db, LIMITS, Policy())
    for i in range(5):
        budget.reserve(Priority.INTERACTIVE, now=T0 + timedelta(minutes=5, seconds=i))
    budget.reserve(Priority.INTERACTIVE, now=T0 + timedelta(minutes=16))
    archived = [c for c in budget.history() if c.window is Window.QUARTER]
    assert {(c.name, c.window_start, c.used) for c in archived} == {
        ("overall:15min", T0, 5),
        ("read:15min", T0, 5),
    }
    snap = {c.name: c.used for c in budget.snapshot(T0 + timedelta(minutes=16))}
    assert snap["read:15min"] == 1 and snap["read:daily"] == 6


def test_a_429_seen_by_one_process_closes_the_class_for_all(db: Database, db_url: str) -> None:
    other = Database.open(db_url, upgrade=False)
    a, b = SharedBudget(db, LIMITS, Policy()), SharedBudget(other, LIMITS, Policy())
    now = T0 + timedelta(minutes=3)
    err = a.on_429({"X-ReadRateLimit-Usage": "31,40", "X-ReadRateLimit-Limit": "30,1000"}, now)
    assert err.retry_at == T0 + timedelta(minutes=15)
    try:
        b.reserve(Priority.INTERACTIVE, now=now + timedelta(minutes=1))
        raise AssertionError("reservation should have been denied")
    except BudgetExhausted as exc:
        assert exc.retry_at == T0 + timedelta(minutes=15)
    b.reserve(Priority.INTERACTIVE, now=T0 + timedelta(minutes=15, seconds=2))
    history = [c for c in b.history() if c.name == "read:15min"]
    assert history[0].http_429 == 1
    other.close()


def test_headers_raise_the_shared_count(db: Database) -> None:
    budget = SharedBudget(db, LIMITS, Policy())
    now = T0 + timedelta(minutes=2)
    budget.reserve(Priority.INTERACTIVE, now=now)
    budget.reconcile(
        {"X-ReadRateLimit-Usage": "12,40", "X-ReadRateLimit-Limit": "25,1000"}, now, sent_at=now
    )
    snap = {c.name: (c.used, c.limit) for c in budget.snapshot(now)}
    assert snap["read:15min"] == (12, 25) and snap["overall:15min"] == (1, 40)


def test_an_answer_that_changes_nothing_waits_for_no_lock(db: Database) -> None:
    """Most answers report no more than we reserved: reconciling them neither writes nor waits
    for the counters' lock another process holds (workers contend once per request, not twice);
    an answer that does raise a count still takes the lock and is kept."""
    budget = SharedBudget(db, LIMITS, Policy())
    now = T0 + timedelta(minutes=2)
    for _ in range(5):
        budget.reserve(Priority.INTERACTIVE, now=now)
    lower = {"X-ReadRateLimit-Usage": "3,1000", "X-ReadRateLimit-Limit": "30,1000"}
    higher = {"X-ReadRateLimit-Usage": "9,1000", "X-ReadRateLimit-Limit": "30,1000"}
    budget.reconcile(lower, now, sent_at=now)  # first: the stated limits are recorded
    done: list[str] = []

    def answer(headers: dict[str, str], name: str) -> threading.Thread:
        thread = threading.Thread(
            target=lambda: (budget.reconcile(headers, now, sent_at=now), done.append(name))
        )
        thread.start()
        return thread

    with db.transaction() as holder:
        budget_q.load(holder, lock=True)
        quiet = answer(lower, "lower")
        quiet.join(timeout=10)
        assert done == ["lower"]  # answered while the rows were locked
        raising = answer(higher, "higher")
        raising.join(timeout=0.5)
        assert done == ["lower"]  # this one waits for the lock
    raising.join(timeout=30)
    assert done == ["lower", "higher"]
    snap = {c.name: c.used for c in budget.snapshot(now)}
    assert snap["read:15min"] == 9 and snap["overall:15min"] == 5
