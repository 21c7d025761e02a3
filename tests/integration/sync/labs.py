"""A small, quiet lab for engine tests: no late connects, no heavy athletes, unlimited quota."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from stravasync.lab import Lab
from stravasync.simulator import SimConfig


def quiet_lab(
    db_url: str,
    work_dir: Path,
    *,
    start: datetime,
    seed: int,
    athletes: int,
    history_days: int,
    webhooks: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Lab:
    return Lab(
        db_url=db_url,
        sim_config=SimConfig(
            seed=seed,
            athletes=athletes,
            history_days=history_days,
            quota="unlimited",
            late_connect_fraction=0.0,
            heavy_fraction=0.0,
        ),
        start=start,
        work_dir=work_dir,
        webhooks=webhooks,
        overrides={"rate_tier": "unlimited", **(overrides or {})},
    )
