"""Webhook burst: events at concurrency 50 to one ``stravasync serve`` process, per database.

Real HTTP: the service runs as a uvicorn subprocess (``stravasync serve``, engine off so only the
receiver is measured), an httpx async client posts the events. The real endpoint (validate +
commit to the inbox) is measured against a bare endpoint of the same app that returns 200
without storing (``STRAVASYNC_WEBHOOK_BENCH_ENDPOINT``), in the same run: rounds alternate the
two, so a machine whose load moves (a shared one) moves both. One event in every 100 sent to
the real endpoint is bad (an id past int64) and must fail alone (400) while every other is
stored. Goals (issue 14): throughput >= 0.8x bare, p99 <= 1.5x bare, 0 lost, bad events alone.

    .venv/bin/python bench/webhook_burst.py [--events 3000] [--concurrency 50] [--rounds 6]
        [--databases sqlite,postgresql] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from stravasync.store import Database
from stravasync.store.operator import admin as admin_q
from stravasync.store.pending import inbox
from stravasync.sync.settings import WEBHOOK_SUBSCRIPTION_KEY

SUBSCRIPTION = 777
THROUGHPUT_GOAL = 0.8
P99_GOAL = 1.5
BAD_EVERY = 100
PG_DATABASE = "stravasync_bench_webhooks"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/stravasync_bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def event(i: int, base: int) -> dict[str, Any]:
    bad = i % BAD_EVERY == BAD_EVERY - 1
    return {
        "object_type": "activity",
        "object_id": 2**63 + i if bad else base + i,
        "aspect_type": "create" if i % 3 else "update",
        "owner_id": 1000 + i % 200,
        "subscription_id": SUBSCRIPTION,
        "event_time": 1_772_000_000 + i,
        "updates": {} if i % 3 else {"title": f"Morning ride {i}"},
    }


def is_bad(i: int) -> bool:
    return i % BAD_EVERY == BAD_EVERY - 1


async def burst(url: str, n: int, concurrency: int, base: int) -> dict[str, Any]:
    """``n`` events; latencies, and the answers of good and bad events apart."""
    latencies: list[float] = []
    answers: dict[str, list[int]] = {"good": [], "bad": []}
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one(i: int) -> None:
            async with sem:
                t0 = time.perf_counter()
                try:
                    status = (await client.post(url, json=event(i, base))).status_code
                except httpx.HTTPError:
                    status = 0
                latencies.append(time.perf_counter() - t0)
                answers["bad" if is_bad(i) else "good"].append(status)

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "latencies": latencies, **answers}


def summary(parts: list[dict[str, Any]], cpu: float) -> dict[str, Any]:
    latencies = sorted(x for p in parts for x in p["latencies"])
    seconds = sum(p["seconds"] for p in parts)
    n = len(latencies)
    good = [s for p in parts for s in p["good"]]
    bad = [s for p in parts for s in p["bad"]]
    return {
        "events": n,
        "seconds": round(seconds, 3),
        "events_per_s": round(n / seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p99_ms": round(1000 * latencies[int(0.99 * (n - 1))], 2),
        "max_ms": round(1000 * latencies[-1], 2),
        "server_cpu_ms_per_event": round(1000 * cpu / n, 3),
        "good_not_200": sum(1 for s in good if s != 200),
        "bad_events": len(bad),
        "bad_not_400": sum(1 for s in bad if s != 400),
    }


def measure(url: str, work: Path, events: int, concurrency: int, rounds: int) -> dict[str, Any]:
    """Start ``serve`` on ``url``, alternate bare and real rounds, count what was stored."""
    db = Database.open(url)
    with db.transaction() as conn:
        admin_q.put_setting(conn, WEBHOOK_SUBSCRIPTION_KEY, SUBSCRIPTION, now=datetime.now(UTC))
        before = inbox.count(conn)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=url,
        STRAVASYNC_SCHEDULER="false",
        STRAVASYNC_WEBHOOK_BENCH_ENDPOINT="true",
        STRAVASYNC_LOG_LEVEL="ERROR",
        STRAVASYNC_KEY_FILE=str(work / "secret.key"),
    )
    cmd = [sys.executable, "-m", "stravasync", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=work)
    base = f"http://127.0.0.1:{port}"
    per_round = events // rounds
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "webhook": []}
    cpu = {"bare": 0.0, "webhook": 0.0}
    paths = {"bare": "/webhooks/bare", "webhook": "/webhooks/strava"}
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("the service did not start")
        warm = 200
        asyncio.run(burst(base + paths["bare"], warm, concurrency, 10_000_000))
        asyncio.run(burst(base + paths["webhook"], warm, concurrency, 20_000_000))
        for r in range(rounds):
            order = ("bare", "webhook") if r % 2 == 0 else ("webhook", "bare")
            for name in order:
                cpu0 = cpu_seconds(proc.pid)
                offset = 100_000_000 + 10_000_000 * r + (0 if name == "bare" else 5_000_000)
                runs[name].append(
                    asyncio.run(burst(base + paths[name], per_round, concurrency, offset))
                )
                cpu[name] += cpu_seconds(proc.pid) - cpu0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with db.engine.connect() as conn:
        stored = inbox.count(conn) - before
    db.close()
    warm_good = warm - warm // BAD_EVERY
    sent_good = per_round * rounds - (per_round // BAD_EVERY) * rounds
    bare, real = summary(runs["bare"], cpu["bare"]), summary(runs["webhook"], cpu["webhook"])
    return {
        "bare_endpoint": bare,
        "webhook_endpoint": real,
        "inbox_rows_stored": stored - warm_good,
        "lost": sent_good - (stored - warm_good),
        "throughput_ratio": round(real["events_per_s"] / bare["events_per_s"], 3),
        "p99_ratio": round(real["p99_ms"] / bare["p99_ms"], 3),
    }


def goals(d: dict[str, Any]) -> dict[str, dict[str, Any]]:
    real = d["webhook_endpoint"]
    alone = real["bad_not_400"] == 0 and real["good_not_200"] == 0
    return {
        "throughput >= 0.8x bare": {"value": d["throughput_ratio"],
                                    "met": d["throughput_ratio"] >= THROUGHPUT_GOAL},
        "p99 <= 1.5x bare": {"value": d["p99_ratio"], "met": d["p99_ratio"] <= P99_GOAL},
        "0 lost": {"value": d["lost"], "met": d["lost"] == 0},
        "bad events fail alone": {
            "value": f"{real['bad_events'] - real['bad_not_400']}/{real['bad_events']} bad 400, "
            f"{real['good_not_200']} good not 200",
            "met": alone,
        },
    }  # fmt: skip


def postgres_url() -> str | None:
    """A fresh database of this benchmark on ``STRAVASYNC_BENCH_POSTGRES_URL``'s server (as
    bench/ingest.py); None when no server answers."""
    base = os.environ.get("STRAVASYNC_BENCH_POSTGRES_URL", DEFAULT_PG)
    target = sa.make_url(base).set(database=PG_DATABASE)
    try:
        admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{PG_DATABASE}"')
        admin.dispose()
    except sa.exc.OperationalError:
        return None
    return target.render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="per endpoint and database")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=6, help="alternations of bare and real")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    results: dict[str, Any] = {
        "concurrency": args.concurrency,
        "events_per_endpoint": args.events,
        "rounds": args.rounds,
        "bad_every": BAD_EVERY,
        "cpu": os.cpu_count(),
        "databases": {},
    }
    ok = True
    for name in args.databases.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"webhook-burst-{name}-"))
        url = f"sqlite:///{work / 'bench.db'}" if name == "sqlite" else postgres_url()
        if url is None:
            results["databases"][name] = {"skipped": "no PostgreSQL server"}
            continue
        load = os.getloadavg()[0]
        d = measure(url, work, args.events, args.concurrency, args.rounds)
        d["load_average_1m"] = [round(load, 2), round(os.getloadavg()[0], 2)]
        d["goals"] = goals(d)
        ok = ok and d["lost"] == 0
        results["databases"][name] = d
        real, bare = d["webhook_endpoint"], d["bare_endpoint"]
        print(
            f"{name}: webhook {real['events_per_s']}/s p99 {real['p99_ms']} ms | bare "
            f"{bare['events_per_s']}/s p99 {bare['p99_ms']} ms | ratio "
            f"{d['throughput_ratio']}, p99 ratio {d['p99_ratio']} | lost {d['lost']} | "
            + ", ".join(f"{g}: {'met' if v['met'] else 'MISSED'}" for g, v in d["goals"].items()),
            flush=True,
        )
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
