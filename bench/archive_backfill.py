"""Backfill with and without the account-export archive: API requests spent until idle.

    .venv/bin/python bench/archive_backfill.py --athletes 5 --history-days 730

Two identical virtual-time worlds (same seed). In the first, every athlete connects and the
engine backfills from the API. In the second, each athlete's export archive (made by the
simulator, requested 3 days before they connect) is imported first; the engine then runs the
reconcile the import requested and whatever else it decides. Both end with an exact mirror
(checked); the difference in requests is the quota the archive saves (or costs).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stravasync.archive.importer import import_archive
from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.simulator.archive import write_archive

START = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)


def run(athletes: int, history_days: int, with_archive: bool) -> tuple[int, int, int]:
    """(API requests, activities mirrored, archive rows imported)."""
    tmp = Path(tempfile.mkdtemp())
    config = SimConfig(
        seed=11, athletes=athletes, history_days=history_days, late_connect_fraction=0.0,
        heavy_fraction=0.0, quota="unlimited",
    )  # fmt: skip
    lab = Lab(db_url=f"sqlite:///{tmp}/m.db", sim_config=config, start=START, work_dir=tmp,
              webhooks=False)  # fmt: skip
    try:
        ids = lab.sim.athlete_ids()
        archives = {}
        if with_archive:
            for aid in ids:
                archives[aid] = tmp / f"{aid}.zip"
                write_archive(lab.sim.world, aid, lab.clock.now(), archives[aid])
        lab.sim.advance_to(START + timedelta(days=3))
        imported = 0
        for aid in ids:
            lab.connect(aid)
            if with_archive:
                imported += import_archive(lab.db, aid, archives[aid], lab.clock.now()).imported
        before = lab.sim.stats()["requests_total"] - len(ids)  # minus the token exchanges
        lab.run_until_idle()
        spent = lab.sim.stats()["requests_total"] - len(ids) - before
        diffs = lab.diff(ids)
        assert all(d.exact for d in diffs), [d for d in diffs if not d.exact]
        mirrored = sum(len(lab.sim.truth(a)) for a in ids)
        return spent + before, mirrored, imported
    finally:
        lab.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=5)
    parser.add_argument("--history-days", type=int, default=730)
    args = parser.parse_args()
    print(f"{'variant':>16} {'requests':>9} {'activities':>11} {'from archive':>13}")
    results = {}
    for variant in (False, True):
        req, acts, imported = run(args.athletes, args.history_days, variant)
        results[variant] = req
        name = "with archive" if variant else "API only"
        print(f"{name:>16} {req:>9} {acts:>11} {imported:>13}", flush=True)
    print(f"quota saved by the archive: {results[False] - results[True]} requests")


if __name__ == "__main__":
    main()
