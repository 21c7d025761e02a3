"""Peak memory of the exports as the mirror grows: memory must stay flat (streaming).

    .venv/bin/python bench/export_memory.py --sizes 10000,100000,1000000
    .venv/bin/python bench/export_memory.py --sizes 10000,100000,1000000:duckdb   (make bench)

A size may name its own formats (``SIZE:fmt+fmt``); the others run every ``--formats``.

For each size it fills a SQLite mirror (two athletes, realistic summary JSON, every 20th
activity with details: 5 laps, 10 splits, 3 segment efforts), then runs each export format in a
fresh child process and reports the child's peak RSS (ru_maxrss) and the RSS it already had
after importing everything (so the delta is what the export itself used).

Measured 2026-12-01 after the warehouse changes (2 vCPU, shared with another benchmark, so
times are pessimistic; delta in MB): duckdb 10k 79, 100k 96, 1M 122 (was 163 / 260 / 287);
dropping ``summary_json`` from the warehouse table took ~115 MB off at 100k, batches of 2,000
instead of 5,000 ~45 MB, threads=1 + preserve_insertion_order=false ~5 MB, memory_limit 48 MB
instead of 128 MB ~25 MB at 1M; skipping the sweep on a rebuild changed the peak by < 6 MB
(it saves time). DuckDB at 1M: 134 s. 1M for all four formats takes too long for ``make
bench`` (fill ~2 min + ~9 min of exports), so it runs 1M for duckdb only.

Measured 2026-11-23, before those changes (2 vCPU, SQLite, delta = peak RSS minus RSS after
imports, in MB):

    activities    jsonl   csv   parquet   duckdb
        10,000     30.6  30.6      98.5    210.5 (before batching commits / dropping the PK)
        20,000                     97.0    178.3
       100,000                     98.0    265.3
       300,000     30.2            96.8    273.3
     1,000,000     30.7  30.5      99.4    287.1

JSONL, CSV and Parquet are flat. DuckDB rises until its first 122,880-row group is complete,
then stays flat (~290 MB with the raw summary JSON column); its buffer pool is capped at 128 MB.
Times at 1M: jsonl 78 s, csv 95 s, parquet 163 s, duckdb 148 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FORMATS = ("jsonl", "csv", "parquet", "duckdb")
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _summary(i: int, athlete: int) -> dict[str, Any]:
    start = datetime(2010, 1, 1, tzinfo=UTC) + timedelta(hours=3 * i)
    return {
        "id": i, "athlete": {"id": athlete, "resource_state": 1}, "resource_state": 2,
        "name": f"Morning Ride {i}", "distance": 20000.0 + i % 5000, "moving_time": 3600,
        "elapsed_time": 3700, "total_elevation_gain": 150.5, "type": "Ride",
        "sport_type": "Ride" if i % 3 else "Run", "workout_type": None,
        "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "start_date_local": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": "(GMT+01:00) Europe/Paris", "utc_offset": 3600.0,
        "map": {"id": f"a{i}", "summary_polyline": "u{~vFvyys@fS]" * 20},
        "trainer": False, "commute": False, "manual": False, "private": False,
        "visibility": "everyone", "gear_id": "b1", "average_speed": 5.5, "max_speed": 12.1,
        "kudos_count": i % 7, "comment_count": 0, "achievement_count": 1, "pr_count": 0,
        "start_latlng": [48.85, 2.35], "end_latlng": [48.86, 2.36], "device_name": "Garmin",
    }  # fmt: skip


def fill(url: str, n: int) -> None:
    from stravasync.store import Database
    from stravasync.store.mirror.summaries import _typed
    from stravasync.store.schema import activities, activity_details

    db = Database.open(url)
    chunk = 5000
    with db.transaction() as conn:
        for base in range(1, n + 1, chunk):
            rows, details = [], []
            for i in range(base, min(base + chunk, n + 1)):
                athlete = 1 + i % 2
                s = _summary(i, athlete)
                row = _typed(s)
                row.update(id=i, athlete_id=athlete, summary_json=s, source="api",
                           first_seen=NOW, last_confirmed=NOW, updated_at=NOW)  # fmt: skip
                if i % 20 == 0:
                    row["detail_fetched_at"] = NOW
                    details.append({
                        "activity_id": i, "fetched_at": NOW,
                        "laps_json": [{"id": i * 10 + k, "name": f"Lap {k}", "distance": 4000.0,
                                       "elapsed_time": 700} for k in range(5)],
                        "splits_metric_json": [{"split": k, "distance": 1000.0,
                                                "elapsed_time": 170} for k in range(10)],
                        "segment_efforts_json": [{"id": i * 100 + k, "name": "Col",
                                                  "segment": {"id": k, "name": "Col"},
                                                  "elapsed_time": 300} for k in range(3)],
                    })  # fmt: skip
                rows.append(row)
            conn.execute(activities.insert(), rows)
            if details:
                conn.execute(activity_details.insert(), details)
    db.close()


def child(fmt: str, url: str, out: str) -> None:
    """Run one export; print JSON with baseline and peak RSS (MB) and seconds."""
    import duckdb  # noqa: F401  (imported up front so the baseline includes it)
    import pyarrow.parquet  # noqa: F401

    from stravasync.export.parquet import export_parquet
    from stravasync.export.textformats import write_csv, write_jsonl
    from stravasync.export.warehouse import refresh_warehouse
    from stravasync.store import Database

    db = Database.open(url, upgrade=False)
    baseline = _rss_mb()
    started = time.perf_counter()
    with db.engine.connect() as conn:
        if fmt == "jsonl":
            write_jsonl(conn, Path(out))
        elif fmt == "csv":
            write_csv(conn, Path(out))
        elif fmt == "parquet":
            export_parquet(conn, Path(out))
        else:
            refresh_warehouse(conn, Path(out))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"baseline_mb": round(baseline, 1), "peak_mb": round(peak, 1),
                      "seconds": round(time.perf_counter() - started, 1)}))  # fmt: skip


def _plan(sizes: str, formats: list[str]) -> list[tuple[int, list[str]]]:
    """``"10000,1000000:duckdb+jsonl"`` -> [(10000, formats), (1000000, [duckdb, jsonl])]."""
    plan = []
    for item in sizes.split(","):
        size, _, own = item.partition(":")
        chosen = own.split("+") if own else formats
        unknown = [f for f in chosen if f not in FORMATS]
        if unknown:
            raise SystemExit(f"unknown format(s): {', '.join(unknown)}")
        plan.append((int(size), chosen))
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="SIZE[:fmt+fmt],...")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "URL", "OUT"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{'activities':>10} {'format':>8} {'baseline MB':>12} {'peak MB':>8} "
          f"{'delta MB':>9} {'seconds':>8}")  # fmt: skip
    for n, formats in _plan(args.sizes, args.formats.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/mirror.db"
            fill(url, n)
            for fmt in formats:
                out = os.path.join(tmp, f"out-{fmt}" + (".duckdb" if fmt == "duckdb" else ""))
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", fmt, url, out],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                print(f"{n:>10} {fmt:>8} {r['baseline_mb']:>12} {r['peak_mb']:>8} "
                      f"{r['peak_mb'] - r['baseline_mb']:>9.1f} {r['seconds']:>8}",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
