"""From a run's raw record to the figures in ``bench/results/<scenario>.json``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.harness import RunRecord, calls_by_endpoint
from bench.metrics import freshness

WINDOW = 900
DETAIL_ENDPOINTS = ("GET /api/v3/activities/{id}", "GET /api/v3/activities/{id}/")


def is_detail(endpoint: str) -> bool:
    """Detail/laps/streams/kudos calls: enrichment, which no baseline does."""
    return endpoint.startswith("GET /api/v3/activities/{id}")


def budget_windows(calls: list[tuple[int, str, int]], start: int, end: int) -> list[list[int]]:
    """[window start epoch, requests sent in that quarter hour] for every window of the run."""
    counts = Counter((t // WINDOW) * WINDOW for t, _, _ in calls)
    first = (start // WINDOW) * WINDOW
    return [[w, counts.get(w, 0)] for w in range(first, end, WINDOW)]


def policy_figures(rec: RunRecord) -> dict[str, Any]:
    measured = [c for c in rec.calls if c[0] >= rec.measure_from]
    warm = [c for c in rec.calls if c[0] < rec.measure_from]
    days = max((rec.end - rec.measure_from) / 86400.0, 1e-9)
    creates = freshness(rec.resolved, "create", rec.end)
    edits = freshness(rec.resolved, "update", rec.end)
    deletes = freshness(rec.resolved, "delete", rec.end)
    by_endpoint = calls_by_endpoint(measured)
    enrich = sum(n for e, n in by_endpoint.items() if is_detail(e))
    out: dict[str, Any] = {
        "api_calls": len(measured),
        "api_calls_by_endpoint": by_endpoint,
        "api_calls_without_details": len(measured) - enrich,
        "http_429": sum(1 for c in measured if c[2] == 429),
        "missing": rec.diff.missing,
        "zombies": rec.diff.zombies,
        "stale": rec.diff.stale,
        "stale_social_only": rec.diff.stale_social,
        "stale_fields": rec.diff.stale_fields,
        "details_checked": rec.diff.details_checked,
        "stale_detail": rec.diff.stale_detail,
        "stale_detail_social_only": rec.diff.stale_detail_social,
        "stale_detail_fields": rec.diff.stale_detail_fields,
        "stale_total": rec.diff.stale_total,
        "freshness_p50_s": creates["p50_s"],
        "freshness_p95_s": creates["p95_s"],
        "freshness_max_s": creates["max_s"],
        "creates": creates["count"],
        "creates_unmirrored": creates["unmirrored"],
        "edit_freshness_p50_s": edits["p50_s"],
        "edit_freshness_p95_s": edits["p95_s"],
        "edit_freshness_max_s": edits["max_s"],
        "edits": edits["count"],
        "edits_unmirrored": edits["unmirrored"],
        "deletion_lag_p95_s": deletes["p95_s"],
        "deletion_lag_max_s": deletes["max_s"],
        "deletions": deletes["count"],
        "deletions_unmirrored": deletes["unmirrored"],
        # how long before the end each never-mirrored change happened (hours): a silent edit an
        # hour before the end is the safety net's cadence, one from day 2 is a bug
        "unmirrored_age_h": {  # the 20 oldest per kind, oldest first
            kind: sorted((round((rec.end - r.at) / 3600.0, 1) for r in unseen), reverse=True)[:20]
            for kind in ("create", "update", "delete")
            if (unseen := [r for r in rec.resolved if r.kind == kind and r.seen is None])
        },
        "calls_per_athlete_per_day": round(len(measured) / max(rec.athletes, 1) / days, 3),
        "warmup_api_calls": len(warm),
        "warmup_http_429": sum(1 for c in warm if c[2] == 429),
        "daily": rec.daily,
        "wall_seconds": round(rec.wall_s, 1),
    }
    out.update(rec.extra)
    out["series"] = {
        "create_delays_s": sorted(
            r.seen - r.at for r in rec.resolved if r.kind == "create" and r.seen is not None
        ),
        "budget_windows": budget_windows(rec.calls, rec.start, rec.end),
    }
    return out
