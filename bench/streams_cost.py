"""What fetching streams costs in reads: the club-week world run with streams on.

    python -m bench.streams_cost [--athletes 200] [--days 2] [--streams on|off] [--out FILE]

Runs our engine on ``club_week(athletes, days)`` (default quota: 100 reads / 15 min, 1,000 a
day; webhooks; a one-day warm-up in which the members connect) with
``STRAVASYNC_SYNC_ENRICH_STREAMS=on`` (``--streams off``: the same world without) and counts,
per UTC day, every read by endpoint: the
streams reads (``GET /activities/{id}/streams``), the detail reads and the total, 429s, the
activities the members created that day (the simulator's truth) and the stale details at the
end. The figures in docs/configuration.md (streams) and the ``auto`` rule of
:mod:`stravasync.sync.planning.streams_policy` come from this run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.drivers import run_stravasync
from bench.scenarios import club_week

STREAMS = "GET /api/v3/activities/{id}/streams"
DETAIL = "GET /api/v3/activities/{id}"


def _day(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).date().isoformat()


def measure(athletes: int, days: float, work: Path, streams_mode: str = "on") -> dict[str, Any]:
    scenario = club_week(athletes=athletes, days=days)
    settings = {**scenario.settings, "sync_enrich_streams": streams_mode}
    scenario = replace(scenario, settings=settings)
    wall = time.perf_counter()
    record = run_stravasync(scenario, work, f"sqlite:///{work / 'mirror.db'}")
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for at, endpoint, status in record.calls:
        row = per_day[_day(at)]
        row["total"] += 1
        row["429"] += status == 429
        row["streams"] += endpoint == STREAMS
        row["details"] += endpoint == DETAIL
    measured = [c for c in record.calls if c[0] >= record.measure_from]
    streams = sum(1 for c in measured if c[1] == STREAMS)
    return {
        "athletes": athletes,
        "days": days,
        "streams_mode": streams_mode,
        "wall_s": round(time.perf_counter() - wall, 1),
        "per_day": {d: dict(c) for d, c in sorted(per_day.items())},
        "measured": {
            "calls": len(measured),
            "streams": streams,
            "details": sum(1 for c in measured if c[1] == DETAIL),
            "429": sum(1 for c in measured if c[2] == 429),
            "calls_per_athlete_day": round(len(measured) / athletes / days, 3),
            "streams_per_athlete_day": round(streams / athletes / days, 3),
        },
        "changes_in_measure": dict(Counter(str(c[1]) for c in record.extra.get("changes", []))),
        "diff": {
            "missing": record.diff.missing,
            "stale": record.diff.stale,
            "details_checked": record.diff.details_checked,
            "stale_detail": record.diff.stale_detail,
        },
        "budget_classes": record.extra.get("budget_classes"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=200)
    parser.add_argument("--days", type=float, default=2.0)
    parser.add_argument("--streams", default="on", choices=["on", "off"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(args.athletes, args.days, Path(tmp), args.streams)
    text = json.dumps(result, indent=1, default=str)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
