"""REPORT.md's section for the extended scenario (bench/extended.py)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

from bench import plots

KEEP = ("Scan", "Limit", "Execution Time", "Planning Time", "Index Cond", "Buffers", "Removed")


def server_cost(plans: dict[str, list[str]], kind: str) -> tuple[float, int]:
    """(execution ms, shared buffers touched) summed over the ``kind`` statements' plans:
    the database's own work, without the client's CPU or the machine's queueing."""
    ms, buffers = 0.0, 0
    for name, plan in plans.items():
        if not name.startswith(kind):
            continue
        for ln in plan:
            if "Execution Time:" in ln:
                ms += float(ln.split(":")[1].split()[0])
        top = next((ln for ln in plan if ln.strip().startswith("Buffers:")), "")
        for part in top.replace(",", " ").split():
            if "=" in part:
                buffers += int(part.split("=")[1])
    return round(ms, 3), buffers


def server_growth(points: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    out = []
    for a, b in itertools.pairwise(points):
        ca = server_cost(a["idle"]["explain_analyze"], kind)
        cb = server_cost(b["idle"]["explain_analyze"], kind)
        bound = math.log(b["athletes"]) / math.log(a["athletes"])
        out.append(
            {
                "from": a["athletes"],
                "to": b["athletes"],
                "ms_ratio": round(cb[0] / max(ca[0], 1e-9), 3),
                "buffers_ratio": round(cb[1] / max(ca[1], 1), 3),
                "log_bound": round(bound, 3),
            }
        )
    return out


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _rss(run: dict[str, Any], prefix: str) -> str:
    start, end = run["rss_mb_start"], run["rss_mb_end"]
    return ", ".join(
        f"{start.get(k, '?')}→{v}" for k, v in sorted(end.items()) if k.startswith(prefix)
    )


def _growth(steps: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{g['from']:,}->{g['to']:,}: {g['ratio']} (bound {g['log_bound']})" for g in steps
    )


def extended(data: dict[str, Any], plot_dir: Path | None = None) -> list[str]:
    if "skipped" in data:
        return ["## extended", "", f"Skipped: {data['skipped']}", ""]
    c = data["conditions"]
    o15, oday, r15, rday = c["quota_o15_oday_r15_rday"]
    lines = [
        "## extended",
        "",
        f"PostgreSQL grown to {', '.join(f'{n:,}' for n in c['sizes'])} athletes (COPY): "
        f"{c['active_athletes']} simulated athletes connected through OAuth with a year of "
        "history to back-fill and enrich, the rest bulk-loaded: most dormant (due in 2-30 "
        "days), 3% disconnected, 2% opted out, 0.5% blocked (parked, due times in the past), "
        f"0.5% dead letters. Quota {r15:,} reads / 15 min, {rday:,} / day ({o15:,} / {oday:,} "
        f"overall); simulator and service on one clock at {c['speed']}x. At each size: the "
        "claim and the planning pass timed with no worker running (medians, µs; "
        f"{c['cores']} cores shared with other benchmarks), then {c['web_processes']} `web` "
        f"processes take {c['events_per_s']} webhook events/s while "
        + ", ".join(str(w) for w in c["workers"])
        + f" `worker` processes (one engine thread each) run {c['window_s']} s each (after "
        f"{c['warmup_s']} s of start-up). Commit {data.get('commit', '?')[:10]}.",
        "",
        "Client-side timings (µs, from this Python process: they carry the machine's load) "
        "beside the database's own cost from EXPLAIN (ANALYZE, BUFFERS) of the same statements "
        "(execution ms summed over the claim's or the pass's statements, shared buffers "
        "touched):",
        "",
        "| athletes | COPY s | unparked | claim µs (p90) | planning pass µs (p90) | "
        "claim: server ms / buffers | planning: server ms / buffers | full scans |",
        "|---" * 8 + "|",
    ]
    for p in data["points"]:
        idle = p["idle"]
        scans = "; ".join(f"{k}: {', '.join(v)}" for k, v in idle["full_scans"].items())
        lines.append(
            f"| {p['athletes']:,} | {p['copy_s']} | {idle['unparked_athletes']:,} | "
            f"{idle['claim']['median_us']} ({idle['claim']['p90_us']}) | "
            f"{idle['planning_pass']['median_us']} ({idle['planning_pass']['p90_us']}) | "
            "{} ms / {} | {} ms / {} | ".format(
                *server_cost(idle["explain_analyze"], "claim"),
                *server_cost(idle["explain_analyze"], "planning"),
            )
            + f"{scans or 'none'} |"
        )
    lines += [
        "",
        f"- claim per 10x athletes: {_verdict(all(g['met'] for g in data['claim_growth']))} "
        f"({_growth(data['claim_growth'])})",
        "- planning pass per 10x athletes: "
        f"{_verdict(all(g['met'] for g in data['planning_growth']))} "
        f"({_growth(data['planning_growth'])})",
        *(
            f"- database's own cost of the {kind}, per 10x athletes: "
            + ", ".join(
                f"{g['from']:,}->{g['to']:,}: {g['ms_ratio']}x ms, {g['buffers_ratio']}x buffers "
                f"(bound {g['log_bound']})"
                for g in server_growth(data["points"], kind)
            )
            for kind in ("claim", "planning")
        ),
        "",
        "| athletes | workers | reads/s | reads/s per worker | 429s | passes | events done | "
        "DB ms per unit | worker CPU ms per read | worker CPU / wall | RSS MB workers | "
        "RSS MB webs | load 1/5/15 |",
        "|---" * 13 + "|",
    ]
    for p in data["points"]:
        for r in p["runs"]:
            lines.append(
                f"| {p['athletes']:,} | {r['workers']} | {r['reads_per_s']} | "
                f"{r['reads_per_s_per_worker']} | {r['http_429']} | {r['sync_passes']} | "
                f"{r['events_processed']} | {r['db_ms_per_unit']} | "
                f"{r.get('worker_cpu_ms_per_read')} | {r.get('worker_cpu_share_of_wall')} | "
                f"{_rss(r, 'worker')} | {_rss(r, 'web')} | "
                f"{' / '.join(str(x) for x in r['loadavg_1_5_15'])} |"
            )
    ev = data["events"]
    lines += [
        "",
        f"Webhook stream: {ev['sent']:,} events posted, {ev['accepted']:,} answered 200, "
        f"{ev['inbox_rows']:,} in the inbox, **{ev['lost']} lost**; states at the end: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(ev["states"].items()))
        + ".",
        "",
    ]
    if plot_dir is not None:
        plot_dir.mkdir(parents=True, exist_ok=True)
        path = plots.scale_out(data["points"], plot_dir)
        lines += [f"![extended scale-out](plots/{path.name})", ""]
    biggest = data["points"][-1]
    lines += [
        f"EXPLAIN (ANALYZE, BUFFERS), {biggest['athletes']:,} athletes, no worker running "
        "(excerpt: scans, limits, buffers, times):",
        "",
        "```",
    ]
    for name, plan in biggest["idle"]["explain_analyze"].items():
        lines.append(f"{name}: {plan[0]} ...")
        lines += [f"    {ln}" for ln in plan[1:] if any(k in ln for k in KEEP)]
    lines += ["```", ""]
    return lines
