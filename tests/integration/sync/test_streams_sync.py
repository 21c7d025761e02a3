"""Streams fetched by the sync against the simulator are stored packed and read back as Strava's
arrays; a deleted activity takes its streams along."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
from sqlalchemy import func, select

from stravasync.export.parquet import export_parquet
from stravasync.lab import Lab
from stravasync.simulator.content.streams import ALL_TYPES
from stravasync.simulator.content.streams import streams as sim_streams
from stravasync.store import read_streams
from stravasync.store.mirror import activities as acts
from stravasync.store.schema import activity_details, activity_streams
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)


def streams_lab(db_url: str, tmp_path: Path, **overrides: Any) -> Lab:
    return quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=21,
        athletes=3,
        history_days=14,
        overrides={"sync_enrich_streams": True, **overrides},
    )


def strava_arrays(lab: Lab, activity_id: int) -> dict[str, list[Any]]:
    """What ``GET /activities/{id}/streams`` answers now, as arrays by type."""
    now = lab.sim.now()
    act = lab.sim.world.activity(activity_id, now)
    assert act is not None
    answer = sim_streams(act, act.fields_at(now), list(ALL_TYPES), None)
    return {key: stream["data"] for key, stream in answer.items()}


def test_synced_streams_read_back_as_stravas_arrays(db_url: str, tmp_path: Path) -> None:
    lab = streams_lab(db_url, tmp_path)
    try:
        for athlete in lab.sim.athlete_ids():
            lab.connect(athlete)
        lab.run_until_idle()
        with lab.db.engine.connect() as conn:
            detailed = list(conn.execute(select(activity_details.c.activity_id)).scalars())
            stored = conn.execute(select(func.count()).select_from(activity_streams)).scalar()
            assert detailed and stored == len(detailed)
            truth = {act_id: strava_arrays(lab, act_id) for act_id in detailed}
            for act_id in detailed:
                got = read_streams(conn, act_id)
                assert got == truth[act_id], act_id
                assert got is not None and len(got["time"]) > 1
            assert read_streams(conn, 1) is None
            export_parquet(conn, tmp_path / "pq")
        samples = ds.dataset(tmp_path / "pq" / "streams", partitioning="hive").to_table()
        per_activity = Counter(samples.column("activity_id").to_pylist())
        assert per_activity == {a: len(t["time"]) for a, t in truth.items()}  # one row a sample
        some = max(truth, key=lambda a: len(truth[a]))
        rows = sorted(
            (r for r in samples.to_pylist() if r["activity_id"] == some), key=lambda r: r["sample"]
        )
        assert [r["time_s"] for r in rows] == truth[some]["time"]
        assert [[r["lat"], r["lng"]] for r in rows] == truth[some].get(
            "latlng", [[None, None]] * len(rows)
        )
        assert [r["heartrate"] for r in rows] == truth[some].get("heartrate", [None] * len(rows))
        gone, removed = detailed[0], detailed[1]
        with lab.db.transaction() as conn:  # deleted on Strava / dropped by a filter
            assert acts.tombstone(conn, [gone], lab.clock.now()) == [gone]
            assert acts.remove(conn, [removed], now=lab.clock.now()) == 1
        with lab.db.engine.connect() as conn:
            assert read_streams(conn, gone) is None and read_streams(conn, removed) is None
            left = conn.execute(select(func.count()).select_from(activity_streams)).scalar()
        assert left == len(detailed) - 2
    finally:
        lab.close()


def test_auto_fetches_each_activitys_streams_once_with_webhooks(
    db_url: str, tmp_path: Path
) -> None:
    """``auto`` on an unlimited quota is on; activities uploaded later (their detail fetched
    by the webhook's confirmation) get their streams too, and a detail fetched again once the
    activity settled does not fetch them again: one streams read per activity."""
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=datetime(2026, 5, 4, 6, 3, tzinfo=UTC),
        seed=11,  # athlete 10000003 uploads on the first day
        athletes=3,
        history_days=10,
        webhooks=True,
        overrides={"sync_enrich_streams": "auto"},
    )
    calls: Counter[int] = Counter()

    def hook(response: Any) -> None:
        parts = response.request.url.path.rstrip("/").split("/")
        if parts[-1] == "streams":
            calls[int(parts[-2])] += 1

    lab.http.event_hooks["response"].append(hook)
    try:
        for athlete in lab.sim.athlete_ids():
            lab.connect(athlete)
        lab.run_until_idle()
        first = set(calls)
        lab.advance(2 * 86400, step=600)  # new uploads, and the settled re-fetches
        with lab.db.engine.connect() as conn:
            detailed = set(conn.execute(select(activity_details.c.activity_id)).scalars())
            stored = set(conn.execute(select(activity_streams.c.activity_id)).scalars())
        assert first and set(calls) - first, "no activity uploaded after the connects"
        assert stored == detailed == set(calls)
        assert set(calls.values()) == {1}, calls  # once each
    finally:
        lab.close()
