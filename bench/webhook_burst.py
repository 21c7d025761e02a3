"""Webhook burst: 5,000 events at concurrency 50 to one ``stravasync serve`` process.

Real HTTP: the service runs as a uvicorn subprocess (``stravasync serve``, engine off so only the
receiver is measured), an httpx async client posts the events. Reports events/s and latency
percentiles for the real endpoint (validate + commit to the inbox) next to a bare endpoint in the
same app that returns 200 without storing, measured in the same run; then counts inbox rows:
none may be lost.

    .venv/bin/python bench/webhook_burst.py [--events 5000] [--concurrency 50]
        [--database-url postgresql+psycopg://...] [--json out.json]
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

from stravasync.store import Database, inbox
from stravasync.store import admin as admin_q
from stravasync.sync.settings import WEBHOOK_SUBSCRIPTION_KEY

SUBSCRIPTION = 777


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(pid: int, url: str, n: int, concurrency: int, base: int) -> dict[str, Any]:
    cpu0 = cpu_seconds(pid)
    result = asyncio.run(burst(url, n, concurrency, base))
    result["server_cpu_ms_per_event"] = round(1000 * (cpu_seconds(pid) - cpu0) / n, 3)
    return result


def event(i: int, base: int) -> dict[str, Any]:
    return {
        "object_type": "activity",
        "object_id": base + i,
        "aspect_type": "create" if i % 3 else "update",
        "owner_id": 1000 + i % 200,
        "subscription_id": SUBSCRIPTION,
        "event_time": 1_772_000_000 + i,
        "updates": {} if i % 3 else {"title": f"Morning ride {i}"},
    }


async def burst(url: str, n: int, concurrency: int, base: int) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(i: int) -> None:
            nonlocal failures
            async with sem:
                t0 = time.perf_counter()
                try:
                    resp = await client.post(url, json=event(i, base))
                    ok = resp.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                if not ok:
                    failures += 1

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "events": n,
        "failures": failures,
        "seconds": round(elapsed, 3),
        "events_per_s": round(n / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 2),
        "max_ms": round(1000 * latencies[-1], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="webhook-burst-"))
    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
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
        STRAVASYNC_LOG_LEVEL="WARNING",
        STRAVASYNC_KEY_FILE=str(work / "secret.key"),
    )
    cmd = [sys.executable, "-m", "stravasync", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("the service did not start")
        # warm both paths, then measure bare first and the real endpoint second
        asyncio.run(burst(base + "/webhooks/bare", 200, args.concurrency, 10_000_000))
        asyncio.run(burst(base + "/webhooks/strava", 200, args.concurrency, 20_000_000))
        bare = measured(
            proc.pid, base + "/webhooks/bare", args.events, args.concurrency, 30_000_000
        )
        real = measured(
            proc.pid, base + "/webhooks/strava", args.events, args.concurrency, 40_000_000
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    with db.engine.connect() as conn:
        stored = inbox.count(conn) - before - 200
    db.close()
    result = {
        "database": url.split(":")[0],
        "concurrency": args.concurrency,
        "bare_endpoint": bare,
        "webhook_endpoint": real,
        "inbox_rows_stored": stored,
        "lost": args.events - stored,
        "cpu": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=2))
    print(
        f"\nwebhook: {real['events_per_s']} events/s, p99 {real['p99_ms']} ms | "
        f"bare: {bare['events_per_s']} events/s, p99 {bare['p99_ms']} ms | "
        f"stored {stored}/{args.events}, lost {args.events - stored}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if stored == args.events and real["failures"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
