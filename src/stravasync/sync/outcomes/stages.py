"""Per-stage timings of a pass: where its seconds went (listing, detail, store, stats).

Listing and detail are the time spent waiting on Strava (measured around each request by the
port); stats is the recount and stats refresh after the pass; store is the rest (applying
pages, checkpoints, the database). Pure: the numbers come in, a rounded dict goes out.
"""

from __future__ import annotations

STAGES = ("listing", "detail", "gear", "store", "stats", "export")


def port_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Seconds each port stage gained between two readings."""
    return {k: max(0.0, v - before.get(k, 0.0)) for k, v in after.items()}


def stage_seconds(elapsed: float, measured: dict[str, float]) -> dict[str, float]:
    """The pass's stages: the measured ones, and ``store`` as what is left of ``elapsed``."""
    known = {k: v for k, v in measured.items() if k in STAGES and k != "store" and v > 0}
    rest = max(0.0, elapsed - sum(known.values()))
    return {k: round(v, 4) for k, v in {**known, "store": rest}.items()}
