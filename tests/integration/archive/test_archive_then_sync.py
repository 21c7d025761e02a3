"""The whole path: a simulator export imported before the first sync, then the real engine
(in virtual time against the simulator) reconciles it; the mirror must equal the truth."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stravasync.archive.importer import import_archive
from stravasync.lab import Lab
from stravasync.simulator import SimConfig
from stravasync.simulator.content.archive import write_archive
from stravasync.store.schema import activities

START = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)


def make_lab(db_url: str, tmp_path: Path) -> Lab:
    config = SimConfig(
        seed=5, athletes=2, history_days=120, churn=4.0,
        late_connect_fraction=0.0, heavy_fraction=0.0,
    )  # fmt: skip
    return Lab(db_url=db_url, sim_config=config, start=START, work_dir=tmp_path, webhooks=False)


def add_ghost(path: Path, ghost: int) -> None:
    """Add a row for an activity Strava no longer has (deleted after the export)."""
    with zipfile.ZipFile(path) as src:
        members = {name: src.read(name) for name in src.namelist()}
    members["activities.csv"] += (
        f'{ghost},"Jan 5, 2026, 8:00:00 AM",Ghost,Ride,,60,1.0,,,false,,,,,,60.0,60.0,1000.0\n'
    ).encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)


def test_archive_then_sync_gives_the_exact_mirror(db_url: str, tmp_path: Path) -> None:
    lab = make_lab(db_url, tmp_path)
    try:
        aid = lab.sim.athlete_ids()[0]
        path = tmp_path / "export.zip"
        manifest = write_archive(lab.sim.world, aid, lab.clock.now(), path)
        lab.sim.advance_to(START + timedelta(days=3))  # the world moves on after the export
        lab.connect(aid)
        report = import_archive(lab.db, aid, path, lab.clock.now())
        assert report.imported == len(manifest.activity_ids) > 20
        assert report.reconcile_requested
        lab.run_until_idle()
        (diff,) = lab.diff([aid])
        assert diff.exact, diff
        with lab.db.engine.connect() as conn:
            sources = set(
                conn.execute(activities.select().with_only_columns(activities.c.source)).scalars()
            )
        assert sources == {"api"}  # every archived row was confirmed by the listing
        assert lab.sim.stats()["rate_limited"] == 0
    finally:
        lab.close()


def test_archived_activity_deleted_on_strava_is_tombstoned(db_url: str, tmp_path: Path) -> None:
    lab = make_lab(db_url, tmp_path)
    try:
        aid = lab.sim.athlete_ids()[0]
        path = tmp_path / "export.zip"
        manifest = write_archive(lab.sim.world, aid, lab.clock.now(), path)
        ghost = (min(manifest.activity_ids) // 100_000 - 7) * 100_000 + (aid - 10_000_000)
        add_ghost(path, ghost)
        lab.connect(aid)
        assert (
            import_archive(lab.db, aid, path, lab.clock.now()).imported
            == len(manifest.activity_ids) + 1
        )
        lab.run_until_idle()
        (diff,) = lab.diff([aid])
        assert diff.zombies == []
    finally:
        lab.close()
