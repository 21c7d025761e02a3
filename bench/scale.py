"""scale: the planner's claim and one planning pass at 1,000, 10,000 and 100,000 athletes.

A deployment's athletes are rows (``athletes`` + ``sync_state``); the engine claims one due
athlete per unit of work and, around it, asks the planning questions of the run loop. Both are
timed here on SQLite and PostgreSQL, each N in a fresh database filled with the same mix:

- steady: most athletes synced and due within the next 48 h (about 1% due now), 2% still
  backfilling (their newest page mirrored), 1% disconnected, 0.5% dead letters, 0.5% opted
  out; every claim goes through all three claim orders and is served by the last;
- backlog: the same, with 0.1% requested syncs and 30% of the athletes connected at once and
  waiting for their newest page, due at one instant (as a budget reopening releases them).

*claim*: one ``claim_due_athlete`` transaction (as the engine runs it), then the release that
puts the athlete back in a day. *planning pass*: the athlete-wide questions the engine asks
around its units of work (``next_due_at`` for the loop's sleep, ``backfill_owed`` before any
safety-net or enrich pass, ``active_count`` for the fitted refresh cadence, and whether anyone
still waits for a newest page). The cost per claim must not grow faster than log N: reported
as the ratio of the cost at 10x the athletes, against log(10N)/log(N). Every statement's query
plan is kept (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN``): indexes used, no scan of
a whole table per claim.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, insert, update

from stravasync.store import Database
from stravasync.store.pending import parking, syncstate
from stravasync.store.schema import athletes, sync_state

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SIZES = (1_000, 10_000, 100_000)
CLAIMS = int(os.environ.get("BENCH_SCALE_CLAIMS", 300))
PASSES = int(os.environ.get("BENCH_SCALE_PASSES", 100))
CHUNK = 5_000


def _rows(n: int, backlog: bool, rng: random.Random) -> Iterator[tuple[dict[str, Any], ...]]:
    """(athlete row, sync_state row) for ``n`` athletes in the mix of the module docstring."""
    for i in range(n):
        r = rng.random()
        status, auto, dead, requested = "active", True, False, None
        done = True
        before: int | None = 1_500_000_000
        due = NOW + timedelta(seconds=rng.uniform(-900, 48 * 3600))
        if r < 0.01:
            status = rng.choice(["reconnect_needed", "deauthorized"])
            due = NOW - timedelta(days=rng.uniform(0, 30))
        elif r < 0.015:
            dead, due = True, NOW - timedelta(days=rng.uniform(0, 30))
        elif r < 0.02:
            auto = False
        elif r < 0.04:
            done, before = False, 1_600_000_000  # backfilling, newest page mirrored
            due = NOW - timedelta(seconds=rng.uniform(0, 600))
        elif backlog and r < 0.041:
            requested, due = "incremental", NOW - timedelta(seconds=rng.uniform(0, 60))
        elif backlog and r < 0.341:
            done, before = False, None  # connected together, waiting for their newest page
            due = NOW - timedelta(seconds=5)
        athlete_id = 50_000_000 + i
        yield (
            {
                "id": athlete_id,
                "status": status,
                "auto_sync": auto,
                "scopes": "read,activity:read_all",
                "created_at": NOW,
                "updated_at": NOW,
            },
            {
                "athlete_id": athlete_id,
                "due_at": due,
                "requested_mode": requested,
                "next_mode": "refresh" if done else "backfill",
                "dead": dead,
                "backfill_done": done,
                "backfill_before": before,
                "activity_count": rng.randint(0, 2_000),
                "parked": parking.should_park(status, auto),
                "updated_at": NOW,
            },
        )


def populate(db: Database, n: int, *, backlog: bool, seed: int = 7) -> None:
    rng = random.Random(seed)
    batch: list[tuple[dict[str, Any], ...]] = []
    for pair in _rows(n, backlog, rng):
        batch.append(pair)
        if len(batch) == CHUNK:
            _insert(db, batch)
            batch = []
    if batch:
        _insert(db, batch)
    with db.transaction() as conn:
        parking.recount(conn)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")  # as autovacuum / a long-running SQLite would have
        conn.commit()


def _insert(db: Database, batch: list[tuple[dict[str, Any], ...]]) -> None:
    with db.transaction() as conn:
        conn.execute(insert(athletes), [a for a, _ in batch])
        conn.execute(insert(sync_state), [s for _, s in batch])


def claim_once(db: Database, now: datetime, *, keep: bool = True) -> int | None:
    """One claim as the engine makes it, then the release (due again in a day).

    ``keep=False`` rolls the claim back instead of committing it: the timing is then the
    claim's statements, not the commit (an fsync on a shared machine is noise, and the same
    for every N).
    """
    with db.engine.connect() as conn:
        tx = conn.begin()
        state = syncstate.claim_due_athlete(
            conn, owner="bench", now=now, lease_seconds=300, automatic=True
        )
        if not keep:
            tx.rollback()
            return None if state is None else int(state["athlete_id"])
        tx.commit()
    if state is None:
        return None
    with db.transaction() as conn:
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == state["athlete_id"])
            .values(lease_owner=None, lease_expires_at=None, due_at=now + timedelta(days=1))
        )
    return int(state["athlete_id"])


def _others_need_first_page(conn: Connection) -> bool:
    from stravasync.sync.passes import first_page_waiting

    return first_page_waiting(conn, exclude=0)


PLANNING: dict[str, Callable[[Connection], object]] = {
    "next_due_at": lambda c: syncstate.next_due_at(c, automatic=True),
    "backfill_owed": syncstate.backfill_owed,
    "first_page_waiting": _others_need_first_page,
}
# asked once per 10 minutes (the fitted refresh cadence), a count: linear by nature
PERIODIC: dict[str, Callable[[Connection], object]] = {"active_count": syncstate.active_count}


def planning_pass(db: Database) -> None:
    with db.engine.connect() as conn:
        for question in PLANNING.values():
            question(conn)


def counting(db: Database) -> None:
    with db.engine.connect() as conn:
        for question in PERIODIC.values():
            question(conn)


@contextmanager
def captured(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (and parameters) executed inside the block."""
    seen: list[tuple[str, Any]] = []

    def hook(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)


def query_plans(db: Database, now: datetime) -> dict[str, list[str]]:
    """EXPLAIN of every SELECT a claim and a planning pass run (the UPDATEs are by key)."""
    with captured(db) as seen:
        claim_once(db, now)
    claim_sql = [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]
    out: dict[str, list[str]] = {}
    for i, (sql, params) in enumerate(claim_sql):
        out[f"claim {i + 1}"] = _explain(db, sql, params)
    for name, question in {**PLANNING, **PERIODIC}.items():
        with captured(db) as seen, db.engine.connect() as conn:
            question(conn)
        for sql, params in seen:
            out[name] = _explain(db, sql, params)
    return out


def _explain(db: Database, sql: str, params: Any) -> list[str]:
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        if db.engine.dialect.name == "postgresql":
            cur.execute("EXPLAIN " + sql, params)
            return [str(r[0]) for r in cur.fetchall()]
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(r[-1]) for r in cur.fetchall()]


def full_scans(plans: dict[str, list[str]], dialect: str) -> dict[str, list[str]]:
    """Plan lines that read a whole table of athletes (per statement)."""
    out: dict[str, list[str]] = {}
    for name, lines in plans.items():
        if dialect == "postgresql":
            bad = [ln.strip() for ln in lines if "Seq Scan" in ln]
        else:
            bad = [
                ln.strip()
                for ln in lines
                if ln.strip().startswith("SCAN ") and "USING" not in ln and "INDEX" not in ln
            ]
        if bad:
            out[name] = bad
    return out


def _timed(fn: Callable[[], object], times: int) -> dict[str, float]:
    samples = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return {
        "median_us": round(statistics.median(samples) * 1e6, 1),
        "mean_us": round(statistics.fmean(samples) * 1e6, 1),
    }


def measure(url: str, n: int, *, backlog: bool) -> dict[str, Any]:
    db = Database.open(url)
    try:
        populate(db, n, backlog=backlog)
        plans = query_plans(db, NOW)
        claim = _timed(lambda: claim_once(db, NOW, keep=False), CLAIMS)
        committed = _timed(lambda: claim_once(db, NOW), max(10, CLAIMS // 10))
        planning = _timed(lambda: planning_pass(db), PASSES)
        count = _timed(lambda: counting(db), max(5, PASSES // 10))
        return {
            "athletes": n,
            "claim": claim,
            "claim_committed_and_released": committed,
            "planning_pass": planning,
            "active_count": count,
            "plans": plans,
            "full_scans": full_scans(plans, db.engine.dialect.name),
        }
    finally:
        db.close()


def growth(points: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Ratio of the median cost between consecutive sizes, against log(10N)/log(N)."""
    out = []
    for a, b in itertools.pairwise(points):
        ratio = b[key]["median_us"] / max(a[key]["median_us"], 1e-9)
        bound = math.log(b["athletes"]) / math.log(a["athletes"])
        out.append(
            {
                "from": a["athletes"],
                "to": b["athletes"],
                "ratio": round(ratio, 3),
                "log_bound": round(bound, 3),
                "met": ratio <= bound,
            }
        )
    return out


def run_scale(work: Path, pg_url: str | None, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    from bench.ingest import fresh_postgres

    out: dict[str, Any] = {"sizes": list(sizes), "claims": CLAIMS, "passes": PASSES}
    databases: dict[str, Any] = {}
    for dialect in ("sqlite", "postgresql"):
        states: dict[str, Any] = {}
        for state in ("steady", "backlog"):
            points = []
            for n in sizes:
                if dialect == "sqlite":
                    path = work / f"scale-{state}-{n}.db"
                    path.unlink(missing_ok=True)
                    url: str | None = f"sqlite:///{path}"
                else:
                    url = fresh_postgres(pg_url) if pg_url else None
                if url is None:
                    break
                print(f"scale: {dialect} {state} {n} athletes ...", flush=True)
                points.append(measure(url, n, backlog=state == "backlog"))
            if not points:
                states = {"skipped": "no PostgreSQL server"}
                break
            states[state] = {
                "points": points,
                "claim_growth": growth(points, "claim"),
                "planning_growth": growth(points, "planning_pass"),
            }
        databases[dialect] = states
    out["databases"] = databases
    return out
