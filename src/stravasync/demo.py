"""The demo: a simulated Strava, athletes connecting, the engine mirroring them in virtual time.

Everything runs in one process (see :mod:`stravasync.lab`): a simulated day takes seconds. The
caller gets a :class:`DemoProgress` after every step, to draw however it likes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from stravasync.lab import AthleteDiff, Lab
from stravasync.simulator import SimConfig
from stravasync.store.schema import activities, sync_state
from stravasync.strava.quota.budget import SharedBudget
from stravasync.strava.setup import shared_budget

START = datetime(2026, 3, 2, 6, 3, tzinfo=UTC)
KEY_FILE = "secret.key"
"""The demo's token key, beside its database (``STRAVASYNC_KEY_FILE`` to serve that database)."""


def _new_key_file(path: Path) -> Path:
    """A fresh token key for the fresh demo database, written 0600."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key() + b"\n")
    return path


@dataclass(slots=True)
class DemoProgress:
    virtual_now: datetime
    athletes: int
    newest_page: int
    backfilled: int
    activities: int
    api_calls: int
    http_429: int
    webhook_events: int
    quota: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class DemoResult:
    progress: DemoProgress
    diffs: list[AthleteDiff]
    wall_seconds: float
    truth_counts: dict[int, int]
    database_url: str = ""
    key_file: Path | None = None  # the token key beside the database: serve it with both


def _progress(lab: Lab, budget: SharedBudget) -> DemoProgress:
    with lab.db.engine.connect() as conn:
        newest = conn.execute(
            select(func.count()).where(
                (sync_state.c.backfill_before.is_not(None)) | sync_state.c.backfill_done
            )
        ).scalar_one()
        done = conn.execute(
            select(func.count()).where(sync_state.c.backfill_done.is_(True))
        ).scalar_one()
        count = conn.execute(
            select(func.count()).where(activities.c.deleted_at.is_(None))
        ).scalar_one()
    stats = lab.sim.stats()
    now = lab.clock.now()
    return DemoProgress(
        virtual_now=now,
        athletes=len(lab.connected),
        newest_page=int(newest),
        backfilled=int(done),
        activities=int(count),
        api_calls=int(stats["requests_total"]),
        http_429=int(stats["rate_limited"]),
        webhook_events=int(stats["webhooks"]["succeeded"]),
        quota=[(c.name, c.used, c.limit) for c in budget.snapshot(now)],
    )


def run_demo(
    *,
    work_dir: Path,
    athletes: int = 20,
    history_days: int = 365,
    days: float = 1.0,
    seed: int = 7,
    on_progress: Callable[[DemoProgress], None] | None = None,
) -> DemoResult:
    """Connect ``athletes`` simulated athletes, backfill them, then live ``days`` of their lives."""
    wall = time.monotonic()
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    key_file = _new_key_file(work_dir / KEY_FILE)
    lab = Lab(
        db_url=f"sqlite:///{db_path}",
        sim_config=SimConfig(
            seed=seed,
            athletes=athletes,
            history_days=history_days,
            quota="default",
            late_connect_fraction=0.0,
            heavy_fraction=0.0,
        ),
        start=START,
        work_dir=work_dir,
        seed=seed,
        overrides={"secret_key": None, "key_file": key_file},  # kept: the database stays usable
    )
    budget = shared_budget(lab.settings, lab.db)
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)

        def step(_lab: Lab, _report: object) -> None:
            if on_progress is not None:
                on_progress(_progress(lab, budget))

        lab.run_until_idle()
        step(lab, None)
        lab.advance(days * 86400, step=60, on_step=step)
        progress = _progress(lab, budget)
        diffs = lab.diff()
        truth = {a: len(lab.sim.truth(a)) for a in sorted(lab.connected)}
        return DemoResult(
            progress,
            diffs,
            time.monotonic() - wall,
            truth,
            database_url=f"sqlite:///{db_path}",
            key_file=key_file,
        )
    finally:
        lab.close()
