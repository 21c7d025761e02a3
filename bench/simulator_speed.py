"""Simulator speed: page latency in-process, lazy world memory, generation cost per athlete.

    .venv/bin/python bench/simulator_speed.py

Prints the median (and p95) time to serve GET /api/v3/athlete/activities?per_page=200
through the in-process client, the memory of a 10,000-athlete world before and after touching
some athletes, and the CPU time to generate one athlete's year of history.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from datetime import UTC, datetime

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def page_latency(rounds: int = 300) -> tuple[float, float, int]:
    sim = Simulator(SimConfig(seed=7, athletes=50, quota="unlimited"), clock=VirtualClock(START))
    client = sim.http_client()
    athlete = max(sim.athlete_ids(), key=lambda a: len(sim.truth(a)))
    code = sim.grant(athlete)
    token = client.post(
        "/oauth/token",
        data={
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "code": code,
            "grant_type": "authorization_code",
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    params = {"per_page": 200}
    size = len(client.get("/api/v3/athlete/activities", headers=headers, params=params).json())
    times = []
    for i in range(rounds):
        t0 = time.perf_counter()
        resp = client.get(
            "/api/v3/athlete/activities", headers=headers, params={**params, "page": 1 + i % 2}
        )
        times.append(time.perf_counter() - t0)
        assert resp.status_code == 200
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000, size


def cold_page_latency(athletes: int = 40) -> float:
    """Median time of the FIRST 200-page of each athlete (summaries rendered, not cached)."""
    sim = Simulator(
        SimConfig(seed=9, athletes=athletes, quota="unlimited"), clock=VirtualClock(START)
    )
    client = sim.http_client()
    times = []
    for athlete in sim.athlete_ids():
        token = client.post(
            "/oauth/token",
            data={
                "client_id": sim.client_id,
                "client_secret": sim.client_secret,
                "code": sim.grant(athlete),
                "grant_type": "authorization_code",
            },
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        t0 = time.perf_counter()
        client.get("/api/v3/athlete/activities", headers=headers, params={"per_page": 200})
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def world_memory(touch: int = 100) -> tuple[float, float, float]:
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    sim = Simulator(SimConfig(seed=7, athletes=10_000), clock=VirtualClock(START))
    empty = tracemalloc.get_traced_memory()[0] - base
    for athlete in sim.athlete_ids()[:touch]:
        sim.world.state(athlete, sim.now())
    touched = tracemalloc.get_traced_memory()[0] - base
    for athlete in sim.athlete_ids()[:touch]:
        sim.truth(athlete)
    rendered = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return empty / 1e6, touched / 1e6, rendered / 1e6


def generation_cpu(athletes: int = 200) -> tuple[float, float, int]:
    sim = Simulator(
        SimConfig(seed=7, athletes=athletes, history_days=365), clock=VirtualClock(START)
    )
    t0 = time.process_time()
    total = 0
    worst = 0.0
    for athlete in sim.athlete_ids():
        a0 = time.process_time()
        total += len(sim.world.state(athlete, sim.now()).activities)
        worst = max(worst, time.process_time() - a0)
    return (time.process_time() - t0) / athletes * 1000, worst * 1000, total


def main() -> None:
    median, p95, size = page_latency()
    print(f"in-process list page of {size} activities: median {median:.2f} ms, p95 {p95:.2f} ms")
    cold = cold_page_latency()
    print(f"first (uncached) list page of up to 200 activities per athlete: median {cold:.2f} ms")
    empty, touched, rendered = world_memory()
    print(
        f"10,000-athlete world: {empty:.1f} MB untouched, {touched:.1f} MB after generating "
        f"100 athletes, {rendered:.1f} MB after also rendering their summaries"
    )
    mean, worst, total = generation_cpu()
    print(
        f"generation, 200 athletes x 1 year ({total} activities): mean {mean:.1f} ms CPU per "
        f"athlete, worst {worst:.1f} ms (heavy athletes have 4 years)"
    )


if __name__ == "__main__":
    main()
