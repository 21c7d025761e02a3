"""Ingest: summary activities into the store, next to a raw executemany of the same rows.

Both run on the same database in the same process: ``store.activities.apply_summaries`` one
page (200 rows, one transaction) at a time into ``activities``, and a plain DBAPI
``executemany`` INSERT of the same rows, pre-built as tuples (the floor: no JSON comparison, no
typed-column extraction timed), into a copy of the table with the same key and indexes.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import quoted_name

from stravasync.clock import VirtualClock
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.store.mirror import activities as acts
from stravasync.store.mirror.summaries import _typed, summary_of
from stravasync.store.schema import activities as activities_t

NOW = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)
PAGE = 200
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/stravasync_bench"


def summaries(count: int, seed: int = 3) -> list[tuple[int, list[dict[str, Any]]]]:
    """``count`` summaries from simulator athletes, as (athlete id, page of up to 200)."""
    sim = Simulator(
        SimConfig(
            seed=seed,
            athletes=max(1, count // 60),
            history_days=365,
            quota="unlimited",
            heavy_fraction=0.0,
            start=NOW,
        ),
        clock=VirtualClock(NOW),
    )
    pages: list[tuple[int, list[dict[str, Any]]]] = []
    total = 0
    for athlete_id in sim.athlete_ids():
        truth = sim.truth(athlete_id, "activity:read_all")
        for i in range(0, len(truth), PAGE):
            page = truth[i : i + PAGE][: count - total]
            if page:
                pages.append((athlete_id, page))
                total += len(page)
        if total >= count:
            break
    return pages


def raw_table(metadata: sa.MetaData) -> sa.Table:
    table = activities_t.to_metadata(metadata, name="bench_raw_activities")
    for index in table.indexes:
        index.name = quoted_name(f"bench_raw_{index.name}", None)
    table.primary_key.name = quoted_name("pk_bench_raw_activities", None)
    return table


def _rows(
    pages: list[tuple[int, list[dict[str, Any]]]],
) -> tuple[list[str], list[list[tuple[Any, ...]]]]:
    cols: list[str] = []
    out: list[list[tuple[Any, ...]]] = []
    for athlete_id, page in pages:
        built = []
        for raw in page:
            summary = summary_of(raw)
            row = _typed(summary)
            row.update(id=int(raw["id"]), athlete_id=athlete_id, summary_json=json.dumps(summary),
                       source="api", first_seen=NOW, last_confirmed=NOW, deleted_at=None,
                       updated_at=NOW)  # fmt: skip
            cols = list(row)
            built.append(tuple(row.values()))
        out.append(built)
    return cols, out


def measure(url: str, pages: list[tuple[int, list[dict[str, Any]]]]) -> dict[str, Any]:
    db = Database.open(url)
    n = sum(len(p) for _, p in pages)
    meta = sa.MetaData()
    table = raw_table(meta)
    with db.transaction() as conn:
        conn.execute(sa.delete(activities_t))
    meta.drop_all(db.engine, checkfirst=True)
    meta.create_all(db.engine)
    t = time.perf_counter()
    cols, tuples = _rows(pages)
    build_s = time.perf_counter() - t
    marks = ", ".join(["?" if db.is_sqlite else "%s"] * len(cols))
    sql = f"INSERT INTO bench_raw_activities ({', '.join(cols)}) VALUES ({marks})"
    t = time.perf_counter()
    for batch in tuples:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(sql, batch)
    raw_s = time.perf_counter() - t
    t = time.perf_counter()
    for athlete_id, page in pages:
        with db.transaction() as conn:
            acts.apply_summaries(conn, athlete_id, page, NOW)
    store_s = time.perf_counter() - t
    # the same pages again: nothing changed, only last_confirmed (a re-list)
    t = time.perf_counter()
    for athlete_id, page in pages:
        with db.transaction() as conn:
            acts.apply_summaries(conn, athlete_id, page, NOW)
    relist_s = time.perf_counter() - t
    with db.engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(activities_t)).scalar_one()
        raw_count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    meta.drop_all(db.engine)
    db.close()
    return {
        "activities": n,
        "rows_stored": stored,
        "rows_raw": raw_count,
        "apply_summaries_per_s": round(n / store_s),
        "raw_executemany_per_s": round(n / raw_s),
        "ratio_to_raw": round(raw_s / store_s, 3),
        "raw_with_row_building_per_s": round(n / (raw_s + build_s)),
        "ratio_to_raw_with_row_building": round((raw_s + build_s) / store_s, 3),
        "relist_unchanged_per_s": round(n / relist_s),
        "apply_summaries_s": round(store_s, 2),
        "raw_executemany_s": round(raw_s, 2),
    }


def fresh_postgres(url: str) -> str | None:
    """(Re)create the bench's own database on the server; None when no server answers."""
    target = sa.make_url(url)
    admin = target.set(database="postgres")
    try:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
        engine.dispose()
    except sa.exc.OperationalError:
        return None
    return target.render_as_string(hide_password=False)


def run_ingest(work_dir: Path, count: int = 100_000) -> dict[str, Any]:
    pages = summaries(count)
    work_dir.mkdir(parents=True, exist_ok=True)
    db_file = work_dir / "ingest.db"
    db_file.unlink(missing_ok=True)
    out: dict[str, Any] = {"sqlite": measure(f"sqlite:///{db_file}", pages)}
    pg = fresh_postgres(os.environ.get("STRAVASYNC_BENCH_POSTGRES_URL", DEFAULT_PG))
    out["postgresql"] = measure(pg, pages) if pg else {"skipped": "no PostgreSQL server"}
    return out
