"""extended (issue 24, point 3): an Extended app on PostgreSQL as its athletes grow.

One PostgreSQL database grows from 1,000 to 10,000 to 100,000 athletes. ``ACTIVE`` of them are
real: simulated athletes connected through OAuth (``stravasync auth``), with a long history to
back-fill and enrich. The rest are bulk-loaded with COPY in this mix: most dormant (synced, due
in 2 to 30 days), 3% disconnected (reconnect needed / deauthorized), 2% opted out, 0.5% blocked
(all three parked, with due times in the past, the rows the claim used to step over), 0.5%
dead letters. The simulator and the service share one scaled clock (``SPEED``x) and an
extended quota (``QUOTA``, reads far above what the processes can spend, so the quota is not
what limits them; 0 429s is still checked).

At each size:

- *idle* (no worker running): ``bench.scale``'s claim and planning pass, timed in this
  process, and ``EXPLAIN (ANALYZE, BUFFERS)`` of every SELECT they run;
- *processes*: 2 ``web`` processes take a webhook stream (``EVENTS_PER_S`` update events of
  real activities, alternating between them) while 1, 2 then 4 ``worker`` processes (one
  engine thread each) run for ``WINDOW`` wall seconds each. Reported per run: reads answered
  by the simulator per second (all and per worker), 429s, units of work finished (sync passes
  and webhook events), PostgreSQL's ``active_time`` (time spent executing statements in this
  database, pg_stat_database) per unit, each process's RSS at the start and end, load average.

At the end every event a ``web`` answered 200 must be a row of the inbox (lost: 0).

    STRAVASYNC_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/NAME \\
        .venv/bin/python -m bench --scenario extended
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.hostile import (
    Proc,
    Sim,
    reads,
    rss_mb,
    service_env,
    simulator,
    start,
    start_worker,
    subscribe,
)
from bench.ingest import DEFAULT_PG, fresh_postgres
from bench.scale import captured, claim_once, full_scans, growth, planning_pass
from stravasync.store import Database
from stravasync.store.pending import parking, syncstate

SIZES = tuple(int(s) for s in os.environ.get("BENCH_EXT_SIZES", "1000,10000,100000").split(","))
WORKERS = tuple(int(s) for s in os.environ.get("BENCH_EXT_WORKERS", "1,2,4").split(","))
ACTIVE = int(os.environ.get("BENCH_EXT_ACTIVE", 150))
WINDOW = float(os.environ.get("BENCH_EXT_WINDOW", 40))
WARMUP = float(os.environ.get("BENCH_EXT_WARMUP", 8))
SPEED = float(os.environ.get("BENCH_EXT_SPEED", 10))
EVENTS_PER_S = float(os.environ.get("BENCH_EXT_EVENTS_PER_S", 4))
CLAIMS = int(os.environ.get("BENCH_EXT_CLAIMS", 200))
PASSES = int(os.environ.get("BENCH_EXT_PASSES", 100))
# an extended, reviewed quota: overall 15 min / day, read 15 min / day
QUOTA = (60_000, 600_000, 30_000, 300_000)
FIRST_ID = 900_000_000
EVENT_TIME0 = 1_700_000_000  # the stream's event times (the simulator's own are later)
ATHLETE_COLS = ("id", "status", "auto_sync", "scopes", "created_at", "updated_at")
STATE_COLS = (
    "athlete_id",
    "due_at",
    "next_mode",
    "dead",
    "backfill_done",
    "backfill_before",
    "activity_count",
    "parked",
    "updated_at",
)


def _mix(rng: random.Random, now: datetime) -> tuple[str, bool, bool, datetime]:
    """(status, auto_sync, dead, due_at) of one bulk-loaded athlete."""
    r = rng.random()
    past = now - timedelta(days=rng.uniform(0, 30))
    if r < 0.03:
        return rng.choice(["reconnect_needed", "deauthorized"]), True, False, past
    if r < 0.05:
        return "active", False, False, past
    if r < 0.055:
        return "blocked", True, False, past
    if r < 0.06:
        return "active", True, True, past
    return "active", True, False, now + timedelta(days=rng.uniform(2, 30))


def bulk_load(url: str, first: int, count: int, now: datetime, seed: int) -> float:
    """COPY ``count`` athletes (ids from ``first``) in the module's mix; seconds taken."""
    import psycopg

    rng = random.Random(seed)
    t = time.perf_counter()
    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        rows = []
        for i in range(first, first + count):
            status, auto, dead, due = _mix(rng, now)
            rows.append((i, status, auto, dead, due))
        with cur.copy(f"COPY athletes ({', '.join(ATHLETE_COLS)}) FROM STDIN") as copy:
            for i, status, auto, _, _ in rows:
                copy.write_row((i, status, auto, "read,activity:read_all", now, now))
        with cur.copy(f"COPY sync_state ({', '.join(STATE_COLS)}) FROM STDIN") as copy:
            for i, status, auto, dead, due in rows:
                copy.write_row(
                    (i, due, "refresh", dead, True, 1_500_000_000, rng.randint(0, 2000),
                     parking.should_park(status, auto), now)
                )  # fmt: skip
        conn.commit()
        cur.execute("ANALYZE athletes")
        cur.execute("ANALYZE sync_state")
        conn.commit()
    db = Database.open(url, upgrade=False)
    try:
        with db.transaction() as c:
            parking.recount(c)
    finally:
        db.close()
    return round(time.perf_counter() - t, 2)


def explain_analyze(db: Database, now: datetime) -> dict[str, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT of a claim (rolled back) and a planning
    pass, as run at this moment."""
    with captured(db) as seen:
        claim_once(db, now, keep=False)
    statements = [("claim", s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]
    with captured(db) as seen:
        planning_pass(db)
    statements += [("planning", s, p) for s, p in seen]
    out: dict[str, list[str]] = {}
    counter: dict[str, int] = {}
    for kind, sql, params in statements:
        counter[kind] = counter.get(kind, 0) + 1
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cur = raw.cursor()
            cur.execute("BEGIN")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [str(r[0]) for r in cur.fetchall()]
            cur.execute("ROLLBACK")
        out[f"{kind} {counter[kind]}"] = [sql.split("FROM")[0].strip()[:120], *lines]
    return out


def _timed(fn: Any, times: int) -> dict[str, float]:
    samples = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    samples.sort()
    return {
        "median_us": round(statistics.median(samples) * 1e6, 1),
        "p90_us": round(samples[int(len(samples) * 0.9)] * 1e6, 1),
    }


def idle_measure(url: str, now: datetime) -> dict[str, Any]:
    db = Database.open(url, upgrade=False)
    try:
        plans = explain_analyze(db, now)
        with db.engine.connect() as conn:
            unparked = syncstate.active_count(conn)
        return {
            "claim": _timed(lambda: claim_once(db, now, keep=False), CLAIMS),
            "planning_pass": _timed(lambda: planning_pass(db), PASSES),
            "unparked_athletes": unparked,
            "explain_analyze": plans,
            "full_scans": full_scans(plans, "postgresql"),
        }
    finally:
        db.close()


def _active_ms(engine: sa.Engine) -> float:
    with engine.connect() as conn:
        return float(
            conn.execute(
                sa.text(
                    "SELECT coalesce(active_time, 0) FROM pg_stat_database "
                    "WHERE datname = current_database()"
                )
            ).scalar_one()
        )


def _units(engine: sa.Engine) -> tuple[int, int]:
    """(sync passes finished, webhook events processed) so far."""
    with engine.connect() as conn:
        passes = conn.execute(
            sa.text("SELECT count(*) FROM sync_sessions WHERE finished_at IS NOT NULL")
        ).scalar_one()
        events = conn.execute(
            sa.text("SELECT count(*) FROM webhook_events WHERE processed_at IS NOT NULL")
        ).scalar_one()
    return int(passes), int(events)


class Stream:
    """Update events of real activities posted to the ``web`` processes in turn."""

    def __init__(self, webs: list[Proc], subscription: int, targets: list[tuple[int, int]]):
        self.webs = webs
        self.subscription = subscription
        self.targets = targets
        self.sent = 0
        self.accepted = 0
        self.refused: dict[int, int] = {}
        self.seq = itertools.count(1)

    async def run(self, seconds: float) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            start_t = time.monotonic()
            n = max(1, int(seconds * EVENTS_PER_S))
            for i in range(n):
                await asyncio.sleep(max(0.0, start_t + i / EVENTS_PER_S - time.monotonic()))
                k = next(self.seq)
                owner, activity = self.targets[k % len(self.targets)]
                body = {
                    "object_type": "activity",
                    "object_id": activity,
                    "aspect_type": "update",
                    "updates": {"title": f"bench {k}"},
                    "owner_id": owner,
                    "subscription_id": self.subscription,
                    "event_time": EVENT_TIME0 + k,
                }
                web = self.webs[k % len(self.webs)]
                self.sent += 1
                try:
                    resp = await client.post(web.url + "/webhooks/strava", json=body)
                    code = resp.status_code
                except httpx.HTTPError:
                    code = -1
                if code == 200:
                    self.accepted += 1
                else:
                    self.refused[code] = self.refused.get(code, 0) + 1


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(procs: dict[str, Proc]) -> dict[str, float]:
    return {name: cpu_s(p.proc.pid) for name, p in procs.items() if p.proc.poll() is None}


def _pids(procs: dict[str, Proc]) -> dict[str, float]:
    return {name: rss_mb(p.proc.pid) for name, p in procs.items() if p.proc.poll() is None}


def process_run(
    sim: Sim, env: dict[str, str], work: Path, engine: sa.Engine, webs: dict[str, Proc],
    stream: Stream, workers: int,
) -> dict[str, Any]:  # fmt: skip
    with ExitStack() as stack:
        procs = dict(webs)
        for i in range(workers):
            procs[f"worker{i + 1}"] = stack.enter_context(start_worker(["worker"], env, work))
        time.sleep(WARMUP)
        rss0 = _pids(procs)
        s0, ms0, u0 = reads(sim.get("/_sim/stats")), _active_ms(engine), _units(engine)
        accepted0 = stream.accepted
        cpu0, sim_cpu0 = _cpu(procs), cpu_s(sim.proc.pid)
        t0 = time.monotonic()
        asyncio.run(stream.run(WINDOW))
        wall = time.monotonic() - t0
        s1, ms1, u1 = reads(sim.get("/_sim/stats")), _active_ms(engine), _units(engine)
        cpu1, sim_cpu1 = _cpu(procs), cpu_s(sim.proc.pid)
        rss1 = _pids(procs)
        load = os.getloadavg()
        alive = all(p.proc.poll() is None for p in procs.values())
    units = (u1[0] - u0[0]) + (u1[1] - u0[1])
    rps = (s1["reads"] - s0["reads"]) / wall
    cpu = {k: round(cpu1[k] - cpu0[k], 2) for k in cpu1 if k in cpu0}
    worker_cpu = sum(v for k, v in cpu.items() if k.startswith("worker"))
    n_reads = s1["reads"] - s0["reads"]
    return {
        "workers": workers,
        "wall_s": round(wall, 1),
        "reads": s1["reads"] - s0["reads"],
        "reads_per_s": round(rps, 2),
        "reads_per_s_per_worker": round(rps / workers, 2),
        "http_429": s1["http_429"] - s0["http_429"],
        "sync_passes": u1[0] - u0[0],
        "events_processed": u1[1] - u0[1],
        "events_accepted": stream.accepted - accepted0,
        "db_active_ms": round(ms1 - ms0, 1),
        "db_ms_per_unit": round((ms1 - ms0) / units, 2) if units else None,
        "cpu_s": {**cpu, "simulator": round(sim_cpu1 - sim_cpu0, 2)},
        "worker_cpu_share_of_wall": round(worker_cpu / wall / workers, 3),
        "worker_cpu_ms_per_read": round(worker_cpu * 1000 / n_reads, 1) if n_reads else None,
        "worker_cpu_ms_per_unit": round(worker_cpu * 1000 / units, 1) if units else None,
        "rss_mb_start": rss0,
        "rss_mb_end": rss1,
        "loadavg_1_5_15": [round(x, 2) for x in load],
        "all_processes_alive": alive,
    }


def connect_many(sim: Sim, env: dict[str, str], work: Path, n: int) -> list[int]:
    """Connect ``n`` simulated athletes through OAuth (grant, code exchange) in one process."""
    ids = sorted(int(a["id"]) for a in sim.get("/_sim/athletes"))[:n]
    codes = [
        str(sim.post("/_sim/grant", {"athlete_id": a, "scope": "read,activity:read_all"})["code"])
        for a in ids
    ]
    cmd = [sys.executable, "-m", "bench.extended", "connect", *codes]
    done = subprocess.run(cmd, env=env, cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"connect failed: {done.stderr[-2000:]}")
    return ids


def _connect_codes(codes: list[str]) -> None:
    """``python -m bench.extended connect CODE...``: what ``stravasync auth --code`` does, once
    per code, in one process (the service's settings from the environment)."""
    from stravasync.cli.common import open_database, settings
    from stravasync.clock import RealClock
    from stravasync.strava import oauth
    from stravasync.strava.oauth import Redirect
    from stravasync.strava.setup import scope_policy, strava_client, token_manager

    cfg = settings()
    db = open_database(cfg)
    clock = RealClock()
    client = strava_client(cfg, db, clock)
    tokens = token_manager(cfg, db, client, clock)
    policy = scope_policy(cfg)
    for code in codes:
        answer = Redirect(code=code, state=None, scope="read,activity:read_all", error=None)
        oauth.complete(db, client, tokens, answer, clock.now(), check_state=False,
                       require_private=policy.require_private,
                       capacity=cfg.athlete_capacity)  # fmt: skip
    db.close()


def _targets(sim: Sim, athletes: list[int]) -> list[tuple[int, int]]:
    out = []
    for a in athletes:
        acts = sim.get(f"/_sim/truth/athletes/{a}/activities")
        out += [(a, int(r["id"])) for r in acts[:50]]
    return out or [(athletes[0], 1)]


@contextmanager
def _service(work: Path, url: str) -> Iterator[tuple[Sim, dict[str, str]]]:
    quota = ",".join(str(q) for q in QUOTA)
    with simulator("--athletes", str(ACTIVE), "--seed", "24", "--history-days", "365",
                   "--quota", quota, "--speed", str(SPEED)) as sim:  # fmt: skip
        o15, oday, r15, rday = QUOTA
        env = service_env(
            sim, url, work,
            STRAVASYNC_RATE_TIER="explicit",
            STRAVASYNC_RATE_OVERALL_15MIN=str(o15), STRAVASYNC_RATE_OVERALL_DAILY=str(oday),
            STRAVASYNC_RATE_READ_15MIN=str(r15), STRAVASYNC_RATE_READ_DAILY=str(rday),
            STRAVASYNC_SYNC_ENRICH="true", STRAVASYNC_SYNC_ENRICH_DAYS="3650",
            STRAVASYNC_SYNC_LEASE_SECONDS="60",
        )  # fmt: skip
        yield sim, env


def run_extended(work: Path, pg_url: str | None = None) -> dict[str, Any]:
    url = fresh_postgres(pg_url or os.environ.get("STRAVASYNC_BENCH_POSTGRES_URL", DEFAULT_PG))
    if url is None:
        return {"skipped": "no PostgreSQL server answered (STRAVASYNC_BENCH_POSTGRES_URL)"}
    Database.open(url).close()  # migrated to head
    out: dict[str, Any] = {
        "conditions": {
            "sizes": list(SIZES), "workers": list(WORKERS), "active_athletes": ACTIVE,
            "window_s": WINDOW, "warmup_s": WARMUP, "speed": SPEED,
            "events_per_s": EVENTS_PER_S, "quota_o15_oday_r15_rday": list(QUOTA),
            "cores": os.cpu_count(), "worker_engine_threads": 1, "web_processes": 2,
        },
        "points": [],
    }  # fmt: skip
    engine = sa.create_engine(url)
    with _service(work, url) as (sim, env):
        print(f"extended: connecting {ACTIVE} athletes ...", flush=True)
        athletes = connect_many(sim, env, work, ACTIVE)
        targets = _targets(sim, athletes)
        with start("web", env, work) as web1, start("web", env, work) as web2:
            subscription = subscribe(env, work, web1.url)
            webs = {"web1": web1, "web2": web2}
            stream = Stream([web1, web2], subscription, targets)
            loaded = ACTIVE
            for size in SIZES:
                now = sim.now()
                extra = size - loaded
                print(f"extended: {size} athletes (COPY {extra}) ...", flush=True)
                copy_s = bulk_load(url, FIRST_ID + loaded, extra, now, seed=size)
                loaded = size
                point: dict[str, Any] = {"athletes": size, "copy_s": copy_s}
                point["loadavg_idle_start"] = [round(x, 2) for x in os.getloadavg()]
                point["idle"] = idle_measure(url, sim.now())
                point["runs"] = []
                for w in WORKERS:
                    print(f"extended: {size} athletes, {w} worker(s) ...", flush=True)
                    point["runs"].append(process_run(sim, env, work, engine, webs, stream, w))
                out["points"].append(point)
            time.sleep(5)  # the last posts land
            with engine.connect() as conn:
                ours = {"lo": EVENT_TIME0, "hi": EVENT_TIME0 + stream.sent + 1}
                mine = "FROM webhook_events WHERE event_time > :lo AND event_time < :hi"
                inbox = int(conn.execute(sa.text(f"SELECT count(*) {mine}"), ours).scalar_one())
                by_state = sa.text(f"SELECT state, count(*) {mine} GROUP BY state")
                states = dict(conn.execute(by_state, ours).all())  # fmt: skip
    engine.dispose()
    out["events"] = {
        "sent": stream.sent, "accepted": stream.accepted, "refused": stream.refused,
        "inbox_rows": inbox, "lost": max(0, stream.accepted - inbox),
        "states": {str(k): int(v) for k, v in states.items()},
    }  # fmt: skip
    out["claim_growth"] = growth([{"athletes": p["athletes"], **p["idle"]} for p in out["points"]],
                                 "claim")  # fmt: skip
    out["planning_growth"] = growth(
        [{"athletes": p["athletes"], **p["idle"]} for p in out["points"]], "planning_pass"
    )
    out["commit"] = _commit()
    out["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return out


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    import tempfile

    if sys.argv[1:2] == ["connect"]:
        _connect_codes(sys.argv[2:])
        raise SystemExit(0)
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run_extended(Path(tmp)), indent=1, default=str))
