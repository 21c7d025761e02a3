"""REPORT.md sections on the quota (issue 14): backfill, daily budget per class, scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import plots

WINDOW = 900


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _t(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def backfill(data: dict[str, Any], plot_dir: Path) -> list[str]:
    pol = data["policies"]
    first = next(iter(pol.values()))
    lines = [
        "## backfill",
        "",
        f"{first['athletes']} athletes connect at once on the extended quota "
        f"({first['read_limit_15min']} reads / 15 min, {first['read_limit_daily']} / day); "
        f"{first['activities']} activities, largest history {first['largest_history']}, "
        f"{first['histories_over_5000']} histories of 5,000+; {first['total_pages']} list pages "
        "of 200 needed. Run twice on the same world: with the simulator counting "
        "`POST /oauth/token` against the read limit (Strava does not say it does not) and "
        "with it free (engine set to match: `STRAVASYNC_BUDGET_COUNT_TOKEN_REQUESTS=false`). "
        "With `activity:read_all` granted a short page ends a backfill listing; the reconcile "
        "(every 3 days) still pages to the empty page and is the proof nothing was missed.",
        "",
        "| figure | " + " | ".join(pol) + " |",
        "|---" * (len(pol) + 1) + "|",
    ]

    def row(label: str, fn: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(str(fn(f)) for f in pol.values()) + " |")

    row("token exchanges counted", lambda f: f["token_exchanges_counted"])
    row(
        "every summary history complete",
        lambda f: f"{_t(f['completion_s'])} ({f['completion_windows']} windows)",
    )
    row(
        "old optimum: pages + empty pages + exchanges, daily limit",
        lambda f: f"{f['optimum_windows_old']} windows",
    )
    row(
        "new optimum: pages + exchanges, daily limit",
        lambda f: f"{f['optimum_windows']} windows",
    )
    row("issue formula ceil((pages + exchanges) / 15-min budget)",
        lambda f: f"{f['optimum_windows_issue_formula']} windows")  # fmt: skip
    row("completion / new optimum", lambda f: f["completion_vs_optimum"])
    row("completion / old optimum", lambda f: f["completion_vs_optimum_old"])
    row(
        "every newest page",
        lambda f: (
            f"{_t(f['newest_page_all_s'])} ({f['newest_page_all_windows']} windows; "
            f"bound {f['newest_page_bound_windows']})"
        ),
    )
    row("list requests (pages needed + ...)", lambda f: f["api_calls_by_endpoint"].get(
        "GET /api/v3/athlete/activities", 0))  # fmt: skip
    row("token requests (exchanges + refreshes)",
        lambda f: f["api_calls_by_endpoint"].get("POST /oauth/token", 0))  # fmt: skip
    row("activity GETs (webhooks during the run)",
        lambda f: f["api_calls_by_endpoint"].get("GET /api/v3/activities/{id}", 0))  # fmt: skip
    row("429s", lambda f: f["http_429"])
    row("wall time", lambda f: f"{f['wall_seconds']} s")
    lines += ["", "Targets (issue 14):", ""]
    for name, f in pol.items():
        lines.append(
            f"- {name}: completion <= {f['completion_target_x']} x the new optimum: "
            f"{_verdict(f['completion_met'])} ({f['completion_vs_optimum']} x); newest page "
            f"within {f['newest_page_target_windows']} windows: "
            f"{_verdict(f['newest_page_met'])} ({f['newest_page_all_windows']}); zero 429s: "
            f"{_verdict(f['http_429'] == 0)} ({f['http_429']})"
        )
    lines.append("")
    plot_dir.mkdir(parents=True, exist_ok=True)
    main = pol.get("stravasync", first)
    p1 = plots.completion(
        "backfill", main["series"]["completion_curve"], main["optimum_windows"] * WINDOW, plot_dir
    )
    p2 = plots.budget_use("backfill", {"stravasync": main}, main["read_limit_15min"], plot_dir)
    lines += [f"![{p1.stem}](plots/{p1.name})", "", f"![{p2.stem}](plots/{p2.name})", ""]
    return lines


def class_table(days: list[dict[str, Any]], read_daily: int) -> list[str]:
    """Reads per budget class per UTC day, as a share of the daily read limit."""
    if not days:
        return []
    names = [c for c in days[0]["reads"] if any(d["reads"][c] for d in days)]
    lines = [
        f"| UTC day | {' | '.join(names)} | total | left of {read_daily} |",
        "|---" * (len(names) + 3) + "|",
    ]
    for d in days:
        cells = [f"{d['reads'][c]} ({d['share'][c]:.0%})" for c in names]
        lines.append(f"| {d['day']} | {' | '.join(cells)} | {d['total']} | {d['left']} |")
    return [*lines, ""]


def club_week_classes(data: dict[str, Any]) -> list[str]:
    s = data["policies"].get("stravasync") or {}
    days = s.get("budget_classes")
    if not days:
        return []
    limit = 1000 if data["config"]["quota"] == "default" else 3000
    return [
        "Reads stravasync spent per budget class and UTC day (warm-up included; the budget's "
        "day is the UTC day; reservations the budget granted, token requests included):",
        "",
        *class_table(days, limit),
    ]


def daily_reserve(data: dict[str, Any]) -> list[str]:
    cfg, var = data["config"], data["variants"]
    lines = [
        "## daily-reserve",
        "",
        f"club-week's engine, world generator and quota (`{cfg['quota']}`: 100 reads / 15 min, "
        f"1,000 / day), made cheaper: {cfg['members']} members (club-week: 200) connect the "
        f"evening before ({cfg['members_connect']}, over an hour) and enrichment of their last "
        f"30 days drains the next day; at {cfg['burst_at']} (an hour before the daily "
        f"reset) {cfg['new_athletes']} new athletes connect and {cfg['manual_syncs']} members "
        "ask for a manual sync. *default reserve*: this engine; *no reserve*: the budget before "
        "issue 14 (no reserve, daily cushions released over the last 2.4 h). A new athlete is "
        "served when their newest page is mirrored, a manual sync when its pass is done.",
        "",
        "| figure | " + " | ".join(var) + " |",
        "|---" * (len(var) + 1) + "|",
    ]

    def row(label: str, fn: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(str(fn(v)) for v in var.values()) + " |")

    row("reads of the day spent before the burst", lambda v: v["day_reads_before_burst"])
    row("new athletes served", lambda v: f"{v['new_served']}/{v['new_athletes']}")
    row(
        "newest page p50 / max after the burst",
        lambda v: f"{_t(v['new_newest_page_p50_s'])} / {_t(v['new_newest_page_max_s'])}",
    )
    row("manual syncs served", lambda v: f"{v['manual_served']}/{v['manual_syncs']}")
    row("manual sync p50 / max",
        lambda v: f"{_t(v['manual_p50_s'])} / {_t(v['manual_max_s'])}")  # fmt: skip
    row("429s", lambda v: v["http_429"])
    row("wall time", lambda v: f"{v['wall_seconds']} s")
    lines += ["", "Target: every new athlete and manual sync served within "
              f"{_t(next(iter(var.values()))['target_s'])} of the burst:", ""]  # fmt: skip
    for name, v in var.items():
        lines.append(f"- {name}: {_verdict(v['met'])} (worst {_t(v['served_max_s'])})")
    lines.append("")
    for name, v in var.items():
        lines += [f"Reads per class and UTC day, {name}:", ""]
        lines += class_table(v["budget_classes"], v["read_daily"])
    return lines


def scale(data: dict[str, Any]) -> list[str]:
    lines = [
        "## scale",
        "",
        "The planner's claim (one `claim_due_athlete` transaction, rolled back so the commit's "
        "fsync does not drown it) and one planning pass (the athlete-wide questions of the run "
        "loop: next due time, backfill owed, newest page waiting) at "
        + ", ".join(f"{n:,}" for n in data["sizes"])
        + f" athletes; medians of {data['claims']} claims and {data['passes']} passes. The "
        "ratio is the cost at 10x the athletes over the cost before; target: no more than "
        "log(10N)/log(N) (1.33, then 1.25). Timed on a shared 2-core machine: the ratios "
        "carry its noise.",
        "",
        "| database | state | athletes | claim µs | claim + commit + release µs | planning "
        "pass µs | active_count µs (every 10 min) | full scans |",
        "|---" * 8 + "|",
    ]
    verdicts: list[str] = []
    for db, states in data["databases"].items():
        if "skipped" in states:
            lines.append(f"| {db} | {states['skipped']} | | | | | | |")
            continue
        for state, v in states.items():
            for p in v["points"]:
                scans = "; ".join(f"{k}: {', '.join(x)}" for k, x in p["full_scans"].items())
                lines.append(
                    f"| {db} | {state} | {p['athletes']:,} | {p['claim']['median_us']} | "
                    f"{p['claim_committed_and_released']['median_us']} | "
                    f"{p['planning_pass']['median_us']} | {p['active_count']['median_us']} | "
                    f"{scans or 'none'} |"
                )
            for key in ("claim_growth", "planning_growth"):
                steps = ", ".join(
                    f"{g['from']:,}->{g['to']:,}: {g['ratio']} (bound {g['log_bound']})"
                    for g in v[key]
                )
                ok = all(g["met"] for g in v[key])
                verdicts.append(f"- {db} {state} {key.split('_')[0]}: {_verdict(ok)} ({steps})")
    lines += ["", "Cost per 10x athletes (target: within the log bound):", "", *verdicts, ""]
    for db, states in data["databases"].items():
        if "skipped" in states:
            continue
        biggest = states["steady"]["points"][-1]
        lines += [f"Query plans, {db}, {biggest['athletes']:,} athletes (steady):", "", "```"]
        for name, plan in biggest["plans"].items():
            lines.append(f"{name}:")
            lines += [f"    {ln}" for ln in plan]
        lines += ["```", ""]
    return lines


def quota_cost(data: dict[str, Any]) -> list[str]:
    """Issue 21 point 6: what gear and streams cost in reads, and the daily reserve."""
    lines = [
        "## Gear and streams: reads they cost",
        "",
        f"Measured on commit `{data.get('commit', '?')}` (`make bench SCENARIO=quota-cost`), "
        "smaller than the headline runs (sizes below), with streams fetched "
        "(`STRAVASYNC_SYNC_ENRICH_STREAMS=true`) and gear on (the default). Gear: `GET /athlete` "
        "(bikes and shoes) and `GET /gear/{id}` (each gear described once; retired gear), at "
        "the enrichment class. Streams: one `GET /activities/{id}/streams` per activity "
        "enriched (the 30-day enrichment window by default). Per day: over the measured days.",
        "",
        "| run | athletes | days | reads (warm-up too) | gear reads | gear / athlete | "
        "gear / athlete / day (measured) | streams reads | streams / athlete | "
        "streams / athlete / day (measured) | daily reserve |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, run in data.get("runs", {}).items():
        cfg = data.get("config", {}).get(name, {})
        q = run.get("quota_cost", {})
        gear, streams = q.get("gear", {}), q.get("streams", {})
        checks = run.get("daily_reserve_check", [])
        past = sum(d["periodic_grants_past_reserve"] for d in checks)
        least = min((d["least_left_at_a_periodic_grant"] for d in checks), default=None)
        held = f"held ({len(checks)} days; fewest left at a periodic grant {least})"
        verdict = held if past == 0 else f"**broken**: {past} periodic grants past it"
        lines.append(
            f"| {name} | {cfg.get('athletes')} | {cfg.get('days')} | {q.get('all_reads')} | "
            f"{gear.get('reads')} | {gear.get('reads_per_athlete')} | "
            f"{gear.get('measured_per_athlete_per_day')} | {streams.get('reads')} | "
            f"{streams.get('reads_per_athlete')} | "
            f"{streams.get('measured_per_athlete_per_day')} | {verdict} |"
        )
    runs = data.get("runs", {})
    with_s, without = runs.get("club-week"), runs.get("club-week-without-streams")
    if with_s and without:
        detail = "GET /api/v3/activities/{id}"

        def reads(run: dict[str, Any], endpoint: str | None = None) -> int:
            by = run.get("api_calls_by_endpoint", {})
            return int(sum(by.values()) if endpoint is None else by.get(endpoint, 0))

        lines += [
            "",
            "Club-week, measured days, with and without streams (same world): "
            f"{reads(with_s)} vs {reads(without)} reads in all, "
            f"{reads(with_s, detail)} vs {reads(without, detail)} detail reads, "
            f"{reads(with_s, detail + '/streams')} stream reads; "
            f"stale details at the end {with_s.get('stale_detail')} vs "
            f"{without.get('stale_detail')}.",
        ]
    lines += [
        "",
        "Gear per athlete, in all: one `GET /athlete` a week plus one `GET /gear/{id}` per "
        "gear once (about 2-3 per athlete) and per retired gear a week; its reads wait behind "
        "details at the enrichment class, so a club whose enrichment fills the day gets its "
        "gear over several days. Streams: one read per enriched activity (by default the "
        "last 30 days; a whole personal history with `sync --mode enrich --all` costs one read "
        "per activity, e.g. 1,000 reads for 1,000 activities).",
        "",
    ]
    return lines
