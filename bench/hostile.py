"""Hostile traffic (issue 25): a forged flood, slow clients and a skewed clock, against real
processes (``stravasync simulate``, ``serve``, ``web``, ``worker``) over real HTTP.

- **flood**: the service on SQLite with a webhook subscription and 8 connected athletes, default
  quota, simulator and service on one scaled clock (``--speed``). ``FLOOD`` forged creates naming
  3 of the athletes (activity ids that do not exist) are posted over 60 simulated seconds; halfway
  through, a flooded athlete and one not flooded each make a real edit (with its webhook event);
  then ``OBSERVE`` simulated seconds pass. Reported: reads spent (GETs the simulator answered), of
  them the 404 confirmations the flood caused, 429s, and how long each real edit took to be
  mirrored (simulated seconds).
- **slow**: ``serve`` with its open-file limit lowered to ``SLOW_NOFILE`` (the attack run hit the
  process's limit with 21,000 connections; a lower limit reaches the same state with fewer
  sockets here), ``SLOW_CONNS`` connections sending one header line every 5 s and 20 bodies sent
  at 1 byte per 5 s. During ``SLOW_SECONDS``, ``/healthz`` is asked twice a second (2 s timeout).
  Reported: availability, latency, how many slow connections the service cut off, log growth, RSS.
- **skew**: PostgreSQL, ``web`` + a ``worker`` backfilling 60 athletes' year-long histories on
  the extended quota (paced over the quarter hour); after ``SKEW_WINDOW`` s a second ``worker``
  whose clock runs 1 h fast joins for ``SKEW_SECONDS`` and is killed. Reported: sessions that
  ended ``lost``, the budget window left in the future, the reads of the ``SKEW_WINDOW`` s before
  the skewed worker joined and after it died (they should be alike), a real edit's latency.

    .venv/bin/python -m bench.hostile [--cases flood,slow,skew] [--json out.json]

Every figure comes from the processes' own answers (the simulator's request counts, the
database's rows, /proc); nothing here depends on the service's internals, so the same script
measures any commit (the note's before/after).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

CLI = [sys.executable, "-m", "stravasync"]
SPEED = float(os.environ.get("BENCH_HOSTILE_SPEED", 20))
FLOOD = int(os.environ.get("BENCH_HOSTILE_FLOOD", 300))
FLOOD_SIM_SECONDS = 60.0
OBSERVE = float(os.environ.get("BENCH_HOSTILE_OBSERVE", 3600))
SLOW_CONNS = int(os.environ.get("BENCH_HOSTILE_SLOW_CONNS", 1500))
SLOW_NOFILE = int(os.environ.get("BENCH_HOSTILE_SLOW_NOFILE", 1024))
SLOW_SECONDS = float(os.environ.get("BENCH_HOSTILE_SLOW_SECONDS", 30))
SKEW_SECONDS = float(os.environ.get("BENCH_HOSTILE_SKEW_SECONDS", 20))
SKEW_WINDOW = float(os.environ.get("BENCH_HOSTILE_SKEW_WINDOW", 60))
VERIFY = "bench-hostile-verify"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with suppress(Exception):
            if check():
                return True
        time.sleep(interval)
    return False


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


@dataclass
class Sim:
    proc: subprocess.Popen[str]
    url: str
    client_id: str
    client_secret: str
    clock: dict[str, str]

    def get(self, path: str) -> Any:
        return httpx.get(self.url + path, timeout=30).json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        resp = httpx.post(self.url + path, json=body, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def now(self) -> datetime:
        return datetime.fromisoformat(str(self.get("/_sim/clock")["now"]).replace("Z", "+00:00"))


@contextmanager
def simulator(*args: str) -> Iterator[Sim]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    proc = subprocess.Popen([*CLI, "simulate", "--port", str(port), *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line or line.startswith("ready"):
            break
        lines.append(line)
    text = "".join(lines)
    found = dict(re.findall(r"^([a-z_ ]+):\s+(\S+)$", text, re.M))
    clock = {k: found[k] for k in ("clock origin", "wall origin", "speed") if k in found}
    try:
        yield Sim(proc, f"http://127.0.0.1:{port}", found["client_id"], found["client_secret"],
                  clock)  # fmt: skip
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def service_env(sim: Sim, db_url: str, work: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(STRAVASYNC_DATABASE_URL=db_url, STRAVASYNC_STRAVA_BASE_URL=sim.url,
               STRAVASYNC_CLIENT_ID=sim.client_id, STRAVASYNC_CLIENT_SECRET=sim.client_secret,
               STRAVASYNC_KEY_FILE=str(work / "secret.key"), STRAVASYNC_LOG_LEVEL="WARNING",
               STRAVASYNC_WEBHOOK_VERIFY_TOKEN=VERIFY, STRAVASYNC_SYNC_ENRICH="false")  # fmt: skip
    if sim.clock:
        env.update(STRAVASYNC_CLOCK_SPEED=sim.clock["speed"],
                   STRAVASYNC_CLOCK_ORIGIN=sim.clock["clock origin"],
                   STRAVASYNC_CLOCK_WALL_ORIGIN=sim.clock["wall origin"])  # fmt: skip
    env.update(extra)
    return env


def cli(args: list[str], env: dict[str, str], work: Path) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([*CLI, *args], env=env, cwd=work, capture_output=True, text=True,
                         timeout=300, check=False)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"stravasync {' '.join(args)} failed: {out.stderr[-2000:]}")
    return out


@dataclass
class Proc:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path


@contextmanager
def start(role: str, env: dict[str, str], work: Path, *, nofile: int | None = None,
          port: int | None = None) -> Iterator[Proc]:  # fmt: skip
    args = [role] if role == "worker" else [role, "--port", str(port or free_port())]
    url = f"http://127.0.0.1:{args[-1]}" if role != "worker" else ""
    log = work / f"{role}-{time.monotonic_ns()}.log"

    def limit() -> None:
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    with log.open("wb") as out:
        proc = subprocess.Popen([*CLI, *args], env=env, cwd=work, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=limit)  # fmt: skip
    try:
        if url and not wait_until(lambda: httpx.get(url + "/healthz", timeout=1).is_success, 60):
            raise SystemExit(f"{role} did not start: {log.read_text()[-2000:]}")
        yield Proc(proc, url, log)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def connect_athletes(sim: Sim, env: dict[str, str], work: Path, n: int) -> list[int]:
    ids = sorted(int(a["id"]) for a in sim.get("/_sim/athletes"))[:n]
    for athlete in ids:
        code = sim.post("/_sim/grant", {"athlete_id": athlete, "scope": "read,activity:read_all"})
        cli(["auth", "--code", str(code["code"]), "--no-listen"], env, work)
    return ids


def mirrored(engine: sa.Engine, sim: Sim, athletes: list[int]) -> bool:
    with engine.connect() as conn:
        for athlete in athletes:
            truth = {int(r["id"]) for r in sim.get(f"/_sim/truth/athletes/{athlete}/activities")}
            held = set(conn.execute(sa.text(
                "SELECT id FROM activities WHERE athlete_id = :a AND deleted_at IS NULL"
            ), {"a": athlete}).scalars())  # fmt: skip
            if truth != held:
                return False
    return True


def name_of(engine: sa.Engine, activity_id: int) -> str | None:
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT name FROM activities WHERE id = :i"),
                           {"i": activity_id}).scalar()  # fmt: skip
    return None if row is None else str(row)


def reads(stats: dict[str, Any]) -> dict[str, int]:
    """GETs answered, GET /activities/{id} 404s and 429s, from the simulator's counts."""
    gets = not_found = limited = 0
    for name, by_status in stats["requests"].items():
        for status, count in by_status.items():
            if str(status) == "429":
                limited += count
            if name.startswith("GET"):
                gets += count
                if "/activities/{id}" in name and str(status) == "404":
                    not_found += count
    return {"reads": gets, "confirm_404": not_found, "http_429": limited}


def subscribe(env: dict[str, str], work: Path, url: str) -> int:
    cli(["webhooks", "subscribe", "--callback-url", url + "/webhooks/strava"], env, work)
    listed = json.loads(cli(["webhooks", "list", "--json"], env, work).stdout)
    return int(listed[0]["id"])


async def post_flood(url: str, events: list[dict[str, Any]], seconds: float) -> list[int]:
    answers: list[int] = []
    async with httpx.AsyncClient(timeout=30) as client:
        start = time.monotonic()
        for i, body in enumerate(events):
            await asyncio.sleep(max(0.0, start + seconds * i / len(events) - time.monotonic()))
            try:
                answers.append((await client.post(url, json=body)).status_code)
            except httpx.HTTPError:
                answers.append(0)
    return answers


def real_edit(
    sim: Sim, engine: sa.Engine, activity_id: int, label: str, cap: float
) -> float | None:
    """Wall seconds from a real edit (with its webhook event) until the mirror shows it."""
    name = f"{label} {time.monotonic_ns()}"
    sim.post(f"/_sim/activities/{activity_id}/edit", {"fields": {"name": name},
                                                      "event": {"title": name}})  # fmt: skip
    t0 = time.monotonic()
    ok = wait_until(lambda: name_of(engine, activity_id) == name, cap, 0.1)
    return round(time.monotonic() - t0, 2) if ok else None


def flood_case(work: Path) -> dict[str, Any]:
    """Three athletes flooded, a fourth not: a real edit of a flooded athlete and one of the
    other are made halfway through the flood."""
    db_url = f"sqlite:///{work / 'flood.db'}"
    with simulator("--athletes", "8", "--seed", "25", "--history-days", "30",
                   "--speed", str(SPEED)) as sim:  # fmt: skip
        env = service_env(sim, db_url, work)
        athletes = connect_athletes(sim, env, work, 8)
        busy = [a for a in athletes if sim.get(f"/_sim/truth/athletes/{a}/activities")]
        if len(busy) < 4:
            raise SystemExit("flood: fewer than 4 simulated athletes have activities")
        flooded, spared = busy[:3], busy[3]
        engine = sa.create_engine(db_url)
        with start("serve", env, work) as svc:
            sub = subscribe(env, work, svc.url)
            if not wait_until(lambda: mirrored(engine, sim, athletes), 600, 1):
                raise SystemExit("flood: the first sync did not finish")
            time.sleep(5)
            before = reads(sim.get("/_sim/stats"))
            events = [{"aspect_type": "create", "object_type": "activity", "updates": {},
                       "object_id": 9_000_000_000_000 + i, "owner_id": flooded[i % 3],
                       "subscription_id": sub, "event_time": 1_780_000_000 + i}
                      for i in range(FLOOD)]  # fmt: skip
            wall = FLOOD_SIM_SECONDS / SPEED
            result: dict[str, Any] = {}
            flooder = threading.Thread(
                target=lambda: result.update(
                    answers=asyncio.run(post_flood(svc.url + "/webhooks/strava", events, wall))
                )
            )
            flooder.start()
            time.sleep(wall / 2)
            edits: dict[str, float | None] = {}
            editors = [
                threading.Thread(target=lambda k=k, a=a: edits.update(
                    {k: real_edit(sim, engine, _last(sim, a), k, OBSERVE / SPEED)}))
                for k, a in (("flooded", flooded[0]), ("spared", spared))
            ]  # fmt: skip
            for thread in editors:
                thread.start()
            for thread in editors:
                thread.join()
            flooder.join()
            t_end = time.monotonic() + max(0.0, OBSERVE / SPEED - wall)
            while time.monotonic() < t_end:
                time.sleep(1)
            after = reads(sim.get("/_sim/stats"))
            rss = rss_mb(svc.proc.pid)
        engine.dispose()
    answers = result.get("answers", [])
    spent = {k: after[k] - before[k] for k in after}

    def simulated(wall_s: float | None) -> float | None:
        return None if wall_s is None else round(wall_s * SPEED, 1)

    return {
        "forged_events": FLOOD,
        "athletes_flooded": len(flooded),
        "answered_200": sum(1 for a in answers if a == 200),
        "simulated_seconds_observed": OBSERVE,
        "reads_spent": spent["reads"],
        "flood_confirmation_404s": spent["confirm_404"],
        "http_429": spent["http_429"],
        "real_edit_mirrored_after_s": simulated(edits.get("flooded")),
        "other_athlete_edit_mirrored_after_s": simulated(edits.get("spared")),
        "serve_rss_mb": rss,
        "speed": SPEED,
    }


class SlowClients:
    """``n`` sockets that each send a header line every 5 s, and ``bodies`` POSTs whose body
    comes 1 byte per 5 s; counts the ones the server closed."""

    def __init__(self, port: int, n: int, bodies: int) -> None:
        self.port, self.n, self.bodies = port, n, bodies
        self.stop = threading.Event()
        self.opened = self.refused = self.closed_by_server = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self, sel: selectors.BaseSelector, first: bytes) -> None:
        s = socket.socket()
        s.setblocking(False)
        with suppress(BlockingIOError):
            s.connect(("127.0.0.1", self.port))
        sel.register(s, selectors.EVENT_WRITE, first)

    def _run(self) -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        sel = selectors.DefaultSelector()
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        post = (b"POST /webhooks/strava HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                b"\r\nContent-Length: 1000\r\n\r\n")  # fmt: skip
        live: dict[socket.socket, bytes] = {}
        for i in range(self.n + self.bodies):
            try:
                self._open(sel, post if i < self.bodies else head)
            except OSError:
                self.refused += 1
        next_tick = time.monotonic()
        while not self.stop.is_set():
            for key, _ in sel.select(timeout=0.2):
                s = key.fileobj
                assert isinstance(s, socket.socket)
                if key.events & selectors.EVENT_WRITE:
                    try:
                        s.send(key.data)
                        self.opened += 1
                        live[s] = b"{" if key.data is post else b"X-Slow: 1\r\n"
                        sel.modify(s, selectors.EVENT_READ)
                    except OSError:
                        self.refused += 1
                        sel.unregister(s)
                        s.close()
                else:
                    try:
                        data = s.recv(4096)
                    except OSError:
                        data = b""
                    if not data:
                        self.closed_by_server += 1
                        sel.unregister(s)
                        live.pop(s, None)
                        s.close()
            if time.monotonic() >= next_tick:
                next_tick += 5
                for s, chunk in list(live.items()):
                    with suppress(OSError):
                        s.send(chunk)
        for s in list(live):
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def slow_case(work: Path) -> dict[str, Any]:
    db_url = f"sqlite:///{work / 'slow.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(STRAVASYNC_DATABASE_URL=db_url, STRAVASYNC_SCHEDULER="false",
               STRAVASYNC_KEY_FILE=str(work / "slow.key"), STRAVASYNC_LOG_LEVEL="WARNING",
               STRAVASYNC_WEBHOOK_VERIFY_TOKEN=VERIFY)  # fmt: skip
    with start("serve", env, work, nofile=SLOW_NOFILE) as svc:
        port = int(svc.url.rsplit(":", 1)[1])
        rss0, log0 = rss_mb(svc.proc.pid), svc.log.stat().st_size
        clients = SlowClients(port, SLOW_CONNS, 20)
        clients.thread.start()
        time.sleep(2)
        latencies: list[float] = []
        ok = asked = 0
        end = time.monotonic() + SLOW_SECONDS
        while time.monotonic() < end:
            asked += 1
            t0 = time.monotonic()
            with suppress(httpx.HTTPError):
                if httpx.get(svc.url + "/healthz", timeout=2).status_code == 200:
                    ok += 1
                    latencies.append(time.monotonic() - t0)
            time.sleep(max(0.0, 0.5 - (time.monotonic() - t0)))
        clients.stop.set()
        clients.thread.join(timeout=30)
        rss1, log1 = rss_mb(svc.proc.pid), svc.log.stat().st_size
        alive = svc.proc.poll() is None
    latencies.sort()
    return {
        "slow_connections": SLOW_CONNS, "slow_bodies": 20, "serve_nofile": SLOW_NOFILE,
        "connections_opened": clients.opened, "connections_refused": clients.refused,
        "cut_off_by_server": clients.closed_by_server,
        "healthz_asked": asked, "healthz_ok": ok,
        "availability": round(ok / asked, 3) if asked else 0.0,
        "healthz_p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "healthz_max_ms": round(1000 * latencies[-1], 1) if latencies else None,
        "log_growth_kb": round((log1 - log0) / 1024, 1),
        "rss_mb_before_after": [rss0, rss1], "serve_alive": alive,
    }  # fmt: skip


def _fresh_pg(name: str) -> str | None:
    base = os.environ.get("STRAVASYNC_BENCH_POSTGRES_URL", DEFAULT_PG)
    try:
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except sa.exc.OperationalError:
        return None
    return str(sa.make_url(base).set(database=name).render_as_string(hide_password=False))


def _sessions(engine: sa.Engine, status: str, since: datetime) -> int:
    with engine.connect() as conn:
        stmt = sa.text("SELECT count(*) FROM sync_sessions WHERE status = :s AND started_at >= :t")
        return int(conn.execute(stmt, {"s": status, "t": since}).scalar_one())


def skew_case(work: Path) -> dict[str, Any]:
    """The backfills of 60 athletes in flight on the extended quota (paced over the quarter
    hour, so it takes many minutes): the healthy worker alone for ``SKEW_WINDOW`` s, then the
    skewed worker beside it for ``SKEW_SECONDS``, killed, then ``SKEW_WINDOW`` s more. The
    reads of the two windows should be alike."""
    db_url = _fresh_pg("stravasync_bench_hostile")
    if db_url is None:
        return {"skipped": "no PostgreSQL server answered (STRAVASYNC_BENCH_POSTGRES_URL)"}
    with simulator("--athletes", "60", "--seed", "26", "--history-days", "365",
                   "--quota", "extended") as sim:  # fmt: skip
        env = service_env(sim, db_url, work, STRAVASYNC_SYNC_LEASE_SECONDS="20",
                          STRAVASYNC_RATE_TIER="extended")  # fmt: skip
        athletes = connect_athletes(sim, env, work, 60)
        busy = [a for a in athletes if sim.get(f"/_sim/truth/athletes/{a}/activities")]
        engine = sa.create_engine(db_url)
        t_start = datetime.now(UTC) - timedelta(seconds=5)
        with start("web", env, work) as web:
            subscribe(env, work, web.url)
            with start_worker(["worker", "--concurrency", "4"], env, work):
                time.sleep(10)
                r0 = reads(sim.get("/_sim/stats"))["reads"]
                time.sleep(SKEW_WINDOW)
                r1 = reads(sim.get("/_sim/stats"))["reads"]
                running = _sessions(engine, "running", t_start)
                ahead_origin = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
                fast = dict(env, STRAVASYNC_CLOCK_SPEED="1", STRAVASYNC_CLOCK_ORIGIN=ahead_origin,
                            STRAVASYNC_CLOCK_WALL_ORIGIN=repr(time.time()))  # fmt: skip
                with start_worker(["worker", "--concurrency", "4"], fast, work) as skewed:
                    time.sleep(SKEW_SECONDS)
                    skewed.proc.send_signal(signal.SIGKILL)
                    skewed.proc.wait(timeout=10)
                lost = _sessions(engine, "lost", t_start)
                with engine.connect() as conn:
                    window = conn.execute(sa.text("SELECT max(window_start) FROM rate_budget"))
                    ahead = window.scalar()
                r2 = reads(sim.get("/_sim/stats"))["reads"]
                time.sleep(SKEW_WINDOW)
                r3 = reads(sim.get("/_sim/stats"))["reads"]
                edit = real_edit(sim, engine, _last(sim, busy[0]), "after skew", 60)
                complete = mirrored(engine, sim, athletes)
        engine.dispose()
    ahead_s = None
    if ahead is not None:
        at = ahead if ahead.tzinfo else ahead.replace(tzinfo=UTC)
        ahead_s = round((at - datetime.now(UTC)).total_seconds(), 1)
    return {
        "skewed_worker_seconds": SKEW_SECONDS,
        "window_s": SKEW_WINDOW,
        "sessions_running_when_skewed_joined": running,
        "sessions_lost_while_skewed": lost,
        "budget_window_ahead_of_wall_s_after_kill": ahead_s,
        "reads_in_window_before_skew": r1 - r0,
        "reads_in_window_after_kill": r3 - r2,
        "edit_mirrored_after_kill_s": edit,
        "backfill_complete_at_end": complete,
    }


@contextmanager
def start_worker(args: list[str], env: dict[str, str], work: Path) -> Iterator[Proc]:
    log = work / f"worker-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*CLI, *args], env=env, cwd=work, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
    try:
        yield Proc(proc, "", log)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _last(sim: Sim, athlete: int) -> int:
    return max(int(r["id"]) for r in sim.get(f"/_sim/truth/athletes/{athlete}/activities"))


CASES: dict[str, Callable[[Path], dict[str, Any]]] = {
    "flood": flood_case, "slow": slow_case, "skew": skew_case,
}  # fmt: skip


def run_hostile(work: Path, cases: tuple[str, ...] = tuple(CASES)) -> dict[str, Any]:
    out: dict[str, Any] = {"scenario": "hostile"}
    for name in cases:
        print(f"hostile: {name} ...", flush=True)
        t0 = time.monotonic()
        out[name] = {**CASES[name](work), "wall_s": round(time.monotonic() - t0, 1)}
        print(f"hostile: {name}: {json.dumps(out[name])}", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cases = tuple(c for c in args.cases.split(",") if c)
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        result = run_hostile(Path(tmp), cases)
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
