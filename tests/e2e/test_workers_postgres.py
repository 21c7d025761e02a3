"""Several workers on PostgreSQL never sync the same athlete at the same time.

Four engines (each its own lease owner, as four processes would be) run in threads against one
PostgreSQL database and a simulator over real HTTP. Every Strava request is recorded with the
athlete it was for and when it started and ended; two workers' requests for one athlete must
never overlap in time.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from stravasync.clock import RealClock
from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.store.pending import syncstate
from stravasync.strava.models import SummaryActivity
from stravasync.sync.factory import build_engine
from stravasync.sync.port import StravaPort
from tests.e2e.simproc import cli_env, run_cli, simulator

Interval = tuple[str, float, float]


def test_four_workers_never_share_an_athlete(pg_url: str, tmp_path: Path) -> None:
    with simulator(
        "--athletes", "6", "--seed", "9", "--quota", "unlimited", "--history-days", "900"
    ) as sim:
        env = cli_env(
            sim, pg_url, tmp_path, STRAVASYNC_SYNC_ENRICH="false", STRAVASYNC_RATE_TIER="unlimited"
        )
        athletes = list(range(10000001, 10000007))
        for athlete_id in athletes:
            out = run_cli(["auth", "--code", sim.grant(athlete_id), "--no-listen"], env, tmp_path)
            assert out.returncode == 0, out.stderr
        sim.faults(latency=0.02)
        cfg = load_settings(
            **{
                k.removeprefix("STRAVASYNC_").lower(): v
                for k, v in env.items()
                if k.startswith("STRAVASYNC_")
            }
        )
        db = Database.open(pg_url)
        clock = RealClock()
        with db.transaction() as conn:
            for athlete_id in athletes:
                syncstate.request_mode(conn, athlete_id, "backfill", clock.now())

        seen: dict[int, list[Interval]] = defaultdict(list)
        lock = threading.Lock()
        errors: list[BaseException] = []

        def worker(name: str) -> None:
            engine = build_engine(cfg, db, clock, owner=name)

            class RecordingPort(StravaPort):
                def list_page(self, token: str, **kw: Any) -> list[SummaryActivity]:
                    start = time.monotonic()
                    try:
                        return super().list_page(token, **kw)
                    finally:
                        end = time.monotonic()
                        with lock:
                            seen[owner_of_token[token]].append((name, start, end))

            engine.port = RecordingPort(engine.port.client)
            try:
                engine.run_until_idle()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        owner_of_token = _tokens_by_athlete(cfg, db, clock, athletes)
        threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
        assert not errors, errors
        assert set(seen) == set(athletes)
        workers_used = {name for spans in seen.values() for name, _, _ in spans}
        assert len(workers_used) >= 2  # the work really was shared
        for athlete_id, spans in seen.items():
            spans.sort(key=lambda s: s[1])
            for (name_a, _, end_a), (name_b, start_b, _) in itertools.pairwise(spans):
                if name_a != name_b:
                    assert start_b >= end_a, f"athlete {athlete_id}: {name_a} and {name_b} overlap"
        for athlete_id in athletes:
            assert len(sim.truth_ids(athlete_id)) == _stored(db, athlete_id)
        db.close()


def _tokens_by_athlete(
    cfg: Any, db: Database, clock: RealClock, athletes: list[int]
) -> dict[str, int]:
    engine = build_engine(cfg, db, clock, owner="probe")
    return {engine.tokens.access_token(a, clock.now()): a for a in athletes}


def _stored(db: Database, athlete_id: int) -> int:
    from stravasync.store.mirror.activities import count_live

    with db.engine.connect() as conn:
        return count_live(conn, athlete_id)
