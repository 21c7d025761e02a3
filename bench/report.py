"""REPORT.md from ``bench/results/*.json``: a table per scenario, plots, targets met or missed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import plots, report_fresh
from bench import report_quota as quota
from bench.report_extended import extended
from bench.report_fair import fair_lines

HOUR = 3600.0


def _t(seconds: float | None) -> str:
    """Human duration; ``None`` (a percentile on a never-mirrored change) reads 'never'."""
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * HOUR:
        return f"{seconds / 60:.0f} min"
    if seconds < 72 * HOUR:
        return f"{seconds / HOUR:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _load(results: Path, name: str) -> dict[str, Any] | None:
    path = results / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def club_week(data: dict[str, Any], plot_dir: Path) -> list[str]:
    cfg, pol = data["config"], data["policies"]
    lines = [
        "## club-week",
        "",
        f"{cfg['athletes']} athletes, {cfg['days']} measured days after a "
        f"{cfg['warmup_days']:.0f}-day warm-up (members connect, staggered over its first 6 h; "
        "its calls are listed apart), quota "
        f"`{cfg['quota']}`, webhook loss {cfg['webhook_loss']:.0%}, one deauthorization "
        f"(athlete {', '.join(map(str, cfg['deauthorized']))}, excluded from the end diff), and "
        f"the three longest histories connecting mid-week (day, athlete): "
        f"{', '.join(f'{d:.1f}: {a}' for a, d in cfg['late_connects'])}. Seed {data['seed']}, "
        f"database {cfg['database']}.",
        "",
        "| policy | api calls | w/o details | calls/athlete/day | 429 | missing | zombies | "
        "stale summary | stale detail | stale total | social only (summary / detail) | "
        "create p50 | create p95 | create max | never mirrored "
        "| edit p50 | edit p95 | deletion lag p95 | deletion lag max | warm-up calls (429) |",
        "|---" * 20 + "|",
    ]
    for name, f in pol.items():
        lines.append(
            f"| {name} | {f['api_calls']} | {f['api_calls_without_details']} | "
            f"{f['calls_per_athlete_per_day']} | {f['http_429']} | {f['missing']} | "
            f"{f['zombies']} | {f['stale']} | {f.get('stale_detail', 0)} | "
            f"{f.get('stale_total', f['stale'])} | "
            f"{f['stale_social_only']} / {f.get('stale_detail_social_only', 0)} | "
            f"{_t(f['freshness_p50_s'])} | {_t(f['freshness_p95_s'])} | "
            f"{_t(f['freshness_max_s'])} | {f['creates_unmirrored']}/{f['creates']} | "
            f"{_t(f['edit_freshness_p50_s'])} | {_t(f['edit_freshness_p95_s'])} | "
            f"{_t(f['deletion_lag_p95_s'])} | {_t(f['deletion_lag_max_s'])} | "
            f"{f['warmup_api_calls']} ({f['warmup_http_429']}) |"
        )
    lines += [
        "",
        "Definitions: *api calls* = every HTTP response our side got from Strava during the "
        "measured days (token refreshes and 429s included); *w/o details* leaves out "
        "`GET /activities/{id}` (enrichment, which no baseline does). *stale summary* counts "
        "activities whose stored summary has a differing real field at the end; *stale detail* "
        "those whose stored DetailedActivity differs from the one Strava gives at the end in a "
        "real field (description, laps, splits, efforts, or its copy of a summary field; gear by "
        "id), over every stored detail (baselines store none); *stale total* activities stale in "
        "either. Activities differing only in social counters (kudos, comments, achievements: "
        "they change silently on Strava, without events) are counted apart in *social only*. "
        "Freshness = delay from the moment a change is "
        "visible on Strava to the first engine/baseline step after which the mirror shows it; "
        "a percentile that falls on a change never mirrored reads *never*. Edit freshness "
        "covers summary fields only: an edit of detail fields alone (description) shows in "
        "*stale detail* at the end.",
        "",
    ]
    s = pol.get("stravasync")
    if s:
        lines += ["Targets for stravasync:", ""]
        fidelity = {n: (f["missing"], f["zombies"], f["stale"]) for n, f in pol.items()}
        lines.append(
            f"- missing/zombies/stale 0 at the end: {_verdict(fidelity['stravasync'] == (0, 0, 0))}"
            f" ({s['missing']}/{s['zombies']}/{s['stale']})"
        )
        if "stale_detail" in s:
            lines.append(
                f"- stale details 0 at the end: {_verdict(s['stale_detail'] == 0)} "
                f"({s['stale_detail']} of {s['details_checked']} stored details; fields "
                + (", ".join(f"{k} {n}" for k, n in s["stale_detail_fields"].items()) or "none")
                + f"; kudos/comments only {s['stale_detail_social_only']})"
            )
        ages = s.get("unmirrored_age_h") or {}
        if ages:
            lines.append(
                "  - changes never mirrored, by how long before the end they happened: "
                + "; ".join(f"{k} {', '.join(f'{a} h' for a in v)}" for k, v in ages.items())
            )
        lines.append(f"- http_429 = 0: {_verdict(s['http_429'] == 0)} ({s['http_429']})")
        p95 = s["freshness_p95_s"]
        lines.append(
            f"- create freshness p95 <= 120 s: {_verdict(p95 is not None and p95 <= 120)} "
            f"({_t(p95)})"
        )
        lag = s["deletion_lag_max_s"]
        lag_ok = _verdict(lag is not None and lag <= 48 * HOUR)
        lines.append(
            f"- deletion lag max <= 48 h: {lag_ok if s['deletions'] else 'no deletions'}"
            f" ({_t(lag)}, {s['deletions']} deletions)"
        )
        for name, f in pol.items():
            if name == "stravasync":
                continue
            as_good = fidelity[name][:2] == (0, 0) and fidelity[name][2] <= s["stale"]
            cmp = "fewer" if s["api_calls"] < f["api_calls"] else "**more**"
            cmp2 = "fewer" if s["api_calls_without_details"] < f["api_calls"] else "**more**"
            lines.append(
                f"- vs {name}: stravasync makes {cmp} calls ({s['api_calls']} vs {f['api_calls']}; "
                f"{cmp2} without details: {s['api_calls_without_details']}); {name}'s end "
                f"fidelity is {'as good (zero missing and zombies)' if as_good else 'worse'} "
                f"(missing {f['missing']}, zombies {f['zombies']}, stale {f['stale']})."
            )
        reach = [n for n, fid in fidelity.items() if n != "stravasync" and fid[:2] == (0, 0)]
        lines.append(
            "- baselines reaching zero missing and zero zombies: "
            + (", ".join(reach) + " (**a baseline reaches it**)" if reach else "none")
        )
        lines.append("")
    lines += fair_lines(data)
    plot_dir.mkdir(parents=True, exist_ok=True)
    limit = 100 if cfg["quota"] == "default" else 300
    for path in (
        plots.freshness_cdf("club-week", pol, plot_dir),
        plots.calls_per_day("club-week", pol, plot_dir),
        plots.budget_use("club-week", pol, limit, plot_dir),
    ):
        lines.append(f"![{path.stem}](plots/{path.name})")
        lines.append("")
    lines += [
        "Per simulated day (api calls / 429 / missing / zombies / stale summary / stale detail "
        "at the day's end):",
        "",
    ]
    days = max(len(f["daily"]) for f in pol.values())
    lines.append("| policy | " + " | ".join(f"day {d + 1}" for d in range(days)) + " |")
    lines.append("|---" * (days + 1) + "|")
    for name, f in pol.items():
        cells = [
            f"{r['api_calls']} / {r['http_429']} / {r['missing']} / {r['zombies']} / "
            f"{r['stale']} / {r.get('stale_detail', 0)}"
            for r in f["daily"]
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", *quota.club_week_classes(data)]
    lines += ["", "Calls by endpoint (measured days):", ""]
    for name, f in pol.items():
        eps = ", ".join(f"`{e}` {n}" for e, n in f["api_calls_by_endpoint"].items())
        lines.append(f"- {name}: {eps}; wall time {f['wall_seconds']} s")
        classes = f.get("api_calls_by_class")
        if classes:
            lines.append(
                "  - by budget class: " + ", ".join(f"{c} {n}" for c, n in classes.items())
            )
    lines.append("")
    return lines


def backfill_archive(data: dict[str, Any]) -> list[str]:
    """The backfill 'with archive' variant (``bench/archive_backfill.py``)."""
    cfg, api, arc = data["config"], data["variants"]["api_only"], data["variants"]["with_archive"]
    saved = data["saved"]

    def win(v: dict[str, Any]) -> str:
        s = v["summaries_exact_s"]
        return "never" if s is None else f"{v['summaries_exact_windows']} ({_t(s)})"

    lines = [
        "## backfill-archive",
        "",
        f"{cfg['athletes']} athletes, {cfg['history_days']} days of history each, quota "
        f"`{cfg['quota']}`, seed {cfg['seed']}; the same world twice. *API only*: every athlete "
        "connects and the engine backfills. *With archive*: each athlete's account export (made "
        "by the simulator) is imported right after the connect, then the engine runs as it "
        "decides (the import requests a reconcile: one summary listing, 1 request per 200). "
        "*Exact* = the end diff against the simulator's truth is empty for every athlete. "
        f"Requests include the token exchanges; totals run for {cfg['horizon_hours']:.0f} h of "
        "virtual time (the engine keeps polling, so the totals include the same steady-state "
        "sync in both).",
        "",
        "| figure | API only | with archive | saved by the archive |",
        "|---|---|---|---|",
        f"| activities (from the archive) | {api['activities']} | {arc['activities']} "
        f"({arc['from_archive']}; {arc['archive_problems']} file errors) | |",
        f"| requests until every history is exact | {api['requests_to_exact']} | "
        f"{arc['requests_to_exact']} | {saved['requests_to_exact']} |",
        f"| windows until exact | {win(api)} | {win(arc)} | {saved['windows_to_exact']} |",
        f"| requests in {cfg['horizon_hours']:.0f} h | {api['requests_total']} | "
        f"{arc['requests_total']} | {saved['requests_total']} |",
        f"| of which detail fetches | {api['detail_requests']} | {arc['detail_requests']} | "
        f"{saved['detail_requests']} |",
        f"| activities with details at the end | {api['activities_with_details']} | "
        f"{arc['activities_with_details']} | |",
        f"| wall time | {api['wall_seconds']} s | {arc['wall_seconds']} s | |",
        "",
        "Requests until exact, by endpoint: API only "
        + ", ".join(f"`{e}` {n}" for e, n in api["requests_to_exact_by_endpoint"].items())
        + "; with archive "
        + ", ".join(f"`{e}` {n}" for e, n in arc["requests_to_exact_by_endpoint"].items())
        + ".",
        "",
        "What the archive does not save: the importer stores summaries only (no laps, splits, "
        "segment efforts or streams from the FIT/GPX/TCX files), so detail fetches "
        "(`GET /activities/{id}`) follow the normal budgeted path in both variants; and the "
        "reconcile after the import lists the whole history, as a backfill does. A difference "
        "in detail fetches over the horizon is therefore scheduling (budget left after the "
        "listings), not details the archive supplied. *Windows until exact* counts from the "
        "connects; both variants spend their listing requests in the first burst.",
        "",
    ]
    return lines


def ingest(data: dict[str, Any]) -> list[str]:
    lines = [
        "## ingest",
        "",
        f"{data['activities']} summary activities from simulator athletes, in pages of 200 "
        "(one transaction each). `apply_summaries` = the store's path; raw = DBAPI "
        "`executemany` INSERT of the same pre-built rows into a copy of the table (same key and "
        "indexes) in the same database and run; re-list = the same pages applied again "
        "(unchanged: only `last_confirmed` moves).",
        "",
        "| database | apply_summaries /s | raw executemany /s | ratio | raw incl. building "
        "rows (JSON dump, typed columns) /s | ratio | re-list unchanged /s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, d in data["databases"].items():
        if "skipped" in d:
            lines.append(f"| {name} | skipped: {d['skipped']} | | | | | |")
            continue
        lines.append(
            f"| {name} | {d['apply_summaries_per_s']} | {d['raw_executemany_per_s']} | "
            f"{d['ratio_to_raw']} | {d.get('raw_with_row_building_per_s', '')} | "
            f"{d.get('ratio_to_raw_with_row_building', '')} | {d['relist_unchanged_per_s']} |"
        )
    sqlite = data["databases"].get("sqlite", {})
    if "ratio_to_raw" in sqlite:
        lines += [
            "",
            f"- SQLite at least half the raw rate: {_verdict(sqlite['ratio_to_raw'] >= 0.5)}",
        ]
    lines.append("")
    return lines


def burst(data: dict[str, Any]) -> list[str]:
    lines = ["## webhook-burst", ""]
    if "skipped" in data:
        return [*lines, f"Skipped: {data['skipped']}", ""]
    figures = data.get("figures")
    if figures is None or "databases" not in figures:
        return [*lines, "```", data.get("output", json.dumps(figures, indent=1)), "```", ""]
    lines += [
        f"`bench/webhook_burst.py`: {figures['events_per_endpoint']:,} events per endpoint at "
        f"concurrency {figures['concurrency']} into one `stravasync serve` (engine off), the "
        f"real endpoint against the bare one of the same app in {figures['rounds']} alternating "
        f"rounds; one event in every {figures['bad_every']} is bad (an id past int64) and must "
        "fail alone. The load generator shares the machine.",
        "",
        "| database | endpoint | events/s | p50 ms | p99 ms | server CPU ms/event | load |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    verdicts: list[str] = []
    for name, d in figures["databases"].items():
        if "skipped" in d:
            lines.append(f"| {name} | skipped: {d['skipped']} | | | | | |")
            continue
        load = " -> ".join(str(x) for x in d["load_average_1m"])
        for label, key in (("bare", "bare_endpoint"), ("webhook", "webhook_endpoint")):
            e = d[key]
            lines.append(
                f"| {name} | {label} | {e['events_per_s']} | {e['p50_ms']} | {e['p99_ms']} | "
                f"{e['server_cpu_ms_per_event']} | {load} |"
            )
        for goal, v in d["goals"].items():
            verdicts.append(f"- {name}, {goal}: {v['value']}, {_verdict(bool(v['met']))}")
    return [*lines, "", *verdicts, ""]


def components(data: dict[str, Any]) -> list[str]:
    lines = ["## components (other engineers' benchmarks, run as they are)", ""]
    for name in ("simulator_speed", "export_memory"):
        d = data.get(name, {})
        lines += [f"### {name}", ""]
        if "skipped" in d:
            lines += [f"Skipped: {d['skipped']}", ""]
            continue
        lines += ["```", d.get("output", ""), "```", ""]
        if name == "export_memory":
            lines += _export_growth(d.get("output", ""))
    return lines


def _export_growth(output: str) -> list[str]:
    """Per format, the export's own memory (delta MB) at each size: flat or not."""
    by_format: dict[str, list[tuple[int, float]]] = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) == 6 and cells[0].isdigit():
            by_format.setdefault(cells[1], []).append((int(cells[0]), float(cells[4])))
    if not by_format:
        return []
    lines = ["Delta MB (peak RSS minus RSS after imports) by size:", ""]
    for fmt, points in by_format.items():
        steps = " -> ".join(f"{d:.0f} ({n:,})" for n, d in points)
        lines.append(f"- {fmt}: {steps}")
    return [*lines, ""]


HOSTILE_ROWS = {
    "flood": ("forged_events", "athletes_flooded", "answered_200", "reads_spent",
              "flood_confirmation_404s", "http_429", "real_edit_mirrored_after_s",
              "other_athlete_edit_mirrored_after_s", "control_no_flood_edit_mirrored_after_s",
              "serve_rss_mb"),
    "slow": ("connections_opened", "cut_off_by_server", "availability", "healthz_p50_ms",
             "healthz_max_ms", "log_growth_kb", "rss_mb_before_after", "serve_alive"),
    "skew": ("sessions_running_when_skewed_joined", "sessions_lost_while_skewed",
             "budget_window_ahead_of_wall_s_after_kill", "reads_in_window_before_skew",
             "reads_in_window_after_kill", "edit_mirrored_after_kill_s",
             "backfill_complete_at_end"),
}  # fmt: skip


def hostile(data: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    """The attack run's cases (bench/hostile.py), after beside before when a before exists."""
    lines = ["## hostile (a forged flood, slow clients, a skewed clock; issue 25)", ""]
    lines += [
        f"Conditions and method: `bench/hostile.py`'s docstring. After: commit "
        f"{data.get('commit', '?')}. Before: commit "
        f"{(before or {}).get('commit', 'not measured')}.",
        "",
    ]
    for case, rows in HOSTILE_ROWS.items():
        now, old = data.get(case, {}), (before or {}).get(case, {})
        if not now and not old:
            continue
        lines += [f"### {case}", "", "| figure | before | after |", "|---|---|---|"]
        for row in rows:
            lines.append(f"| {row} | {old.get(row, '-')} | {now.get(row, '-')} |")
        lines.append("")
    return lines


def write_report(results: Path, plot_dir: Path, out: Path) -> Path:
    lines = [
        "# Benchmarks",
        "",
        "Regenerated by `make bench` (`make bench SCENARIO=club-week` for one scenario) from "
        "`bench/results/*.json`. Everything runs in virtual time against the in-process "
        "simulator, deterministic by seed; every policy sees the same world and timeline. "
        "Baselines (seeds 000-004, daily-relist) are re-implemented on our client and store with "
        "their schedules, no webhooks, and no budget (they may earn 429s); only daily-relist "
        "detects deletions (it prunes what a full listing no longer shows), as in the "
        "originals; webhook-only is our engine without its safety net. See the end of this "
        "file for notes and known gaps.",
        "",
    ]
    lines += report_fresh.sections(
        {
            "standard": _load(results, "standard") or _load(results, "standard-small"),
            **{n: _load(results, n) for n in ("club-week-fresh", "club-week")},
        },
        plot_dir,
        [json.loads(p.read_text()) for p in sorted(results.glob("club-week-fresh*.json"))],
        [json.loads(p.read_text()) for p in sorted(results.glob("standard*.json"))],
    )
    if (d := _load(results, "club-week")) is not None:
        lines += club_week(d, plot_dir)
    if (d := _load(results, "backfill")) is not None:
        lines += quota.backfill(d, plot_dir)
    if (d := _load(results, "backfill-archive")) is not None:
        lines += backfill_archive(d)
    if (d := _load(results, "daily-reserve")) is not None:
        lines += quota.daily_reserve(d)
    if (d := _load(results, "scale")) is not None:
        lines += quota.scale(d)
    if (d := _load(results, "extended")) is not None:
        lines += extended(d, plot_dir)
    if (d := _load(results, "ingest")) is not None:
        lines += ingest(d)
    if (d := _load(results, "webhook-burst")) is not None:
        lines += burst(d)
    if (d := _load(results, "hostile")) is not None:
        lines += hostile(d, _load(results, "hostile-before"))
    if (d := _load(results, "quota-cost")) is not None:
        lines += quota.quota_cost(d)
    if (d := _load(results, "components")) is not None:
        lines += components(d)
    notes = results.parent / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text()]
    out.write_text("\n".join(lines) + "\n")
    return out
