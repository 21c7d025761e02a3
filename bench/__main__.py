"""``python -m bench [--scenario NAME]``: run scenarios, write results, regenerate REPORT.md."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.backfill import run_backfill
from bench.baselines import CONDITIONS
from bench.drivers import run_policy
from bench.fairness import conditions_for, safety_net_catches
from bench.harness import Scenario
from bench.hostile import run_hostile
from bench.ingest import run_ingest
from bench.report import write_report
from bench.scenarios import backfill, club_week
from bench.summary import policy_figures

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
# longest first, so two processes finish together
POLICIES = (
    "stravasync",
    "webhook-only",
    "seed000",
    "seed002",
    "daily-relist",
    "seed001",
    "seed003",
    "seed004",
)
# Strava does not document whether POST /oauth/token counts: club-week runs under both
TOKEN_MODES = {"token_requests_counted": True, "token_requests_free": False}
SCENARIOS = (
    "standard",
    "club-week-fresh",
    "club-week",
    "backfill",
    "backfill-archive",
    "daily-reserve",
    "scale",
    "extended",
    "ingest",
    "webhook-burst",
    "hostile",
    "components",
    "quota-cost",
)
# 1M for duckdb only: all four formats at 1M take ~11 min on 2 cores (see export_memory.py)
EXPORT_SIZES = os.environ.get("BENCH_EXPORT_SIZES", "10000,100000,1000000:duckdb")


def _scratch() -> str | None:
    """Mirrors live on tmpfs when there is one: the runs measure strategies, not fsync."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _result_name(name: str) -> str:
    """A club-week smaller than the issue's (200 athletes, 7 days) never overwrites it."""
    full = (
        _env_int("BENCH_CLUB_ATHLETES", 200) >= 200
        and float(os.environ.get("BENCH_CLUB_DAYS", 7)) >= 7
    )
    return name if name != "club-week" or full else "club-week-small"


def _seed_order(name: str) -> str:
    return "" if name == "stravasync" else name


def _commit() -> str:
    """The checkout a figure was measured on (``-dirty`` with uncommitted changes)."""
    root = HERE.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short=10", "HEAD") or "unknown"
    changed = [
        line
        for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
        if not line[3:].startswith(("bench/results/", "bench/REPORT.md", "bench/plots/"))
    ]
    return f"{head}-dirty" if changed else head


def _selected() -> tuple[str, ...]:
    """``BENCH_POLICIES=a,b``: rerun only these club-week policies (the others are taken from
    the last results). Our engine's two policies go together: the safety net compares them."""
    raw = os.environ.get("BENCH_POLICIES", "").strip()
    if not raw:
        return POLICIES
    names = tuple(n.strip() for n in raw.split(",") if n.strip())
    unknown = sorted(set(names) - set(POLICIES))
    if unknown:
        raise SystemExit(f"BENCH_POLICIES: unknown {', '.join(unknown)} (known: {POLICIES})")
    engine = {"stravasync", "webhook-only"}
    if engine & set(names) and not engine <= set(names):
        raise SystemExit("BENCH_POLICIES: stravasync and webhook-only are rerun together")
    return tuple(n for n in POLICIES if n in names)


def _club_policy(name: str, scenario: Scenario, work: Path) -> dict[str, Any]:
    """One policy's run in its own process (its own lab, database and simulator), under the
    conditions its own document states (quota, scale)."""
    conditions = CONDITIONS.get(name, {})
    scenario = conditions_for(name, scenario, conditions)
    record = run_policy(name, scenario, work / name, f"sqlite:///{work / name / 'mirror.db'}")
    figures = policy_figures(record)
    figures["commit"] = _commit()
    figures["conditions"] = {
        "quota": str(scenario.sim.quota),
        "athletes": len(scenario.connects),
        "single_user": bool(conditions.get("single_user")),
    }
    return figures


def _run_policies(
    scenario: Scenario, work: Path, workers: int, selected: tuple[str, ...]
) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(_club_policy, name, scenario, work) for name in selected}
        ran: dict[str, Any] = {}
        for name in selected:
            ran[name] = futures[name].result()
            print(f"  {name} done in {ran[name]['wall_seconds']} s", flush=True)
    return ran


def _merge_mode(ran: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """One token mode's results: the policies just ``ran``, the others from ``previous`` (the
    same mode's last results, each keeping the commit it was measured on), and the safety net
    (stravasync against webhook-only) when our engine ran."""
    policies: dict[str, Any] = dict(ran)
    for name in POLICIES:
        if name not in ran:
            if previous is None or name not in previous.get("policies", {}):
                raise SystemExit(f"club-week: no earlier result for {name}; run every policy")
            policies[name] = previous["policies"][name]
    policies = {name: policies[name] for name in sorted(POLICIES, key=_seed_order)}
    if "stravasync" not in ran and previous is not None:
        return {"policies": policies, "safety_net": previous["safety_net"]}
    ours, hooks = dict(policies["stravasync"]), dict(policies["webhook-only"])
    policies["stravasync"], policies["webhook-only"] = ours, hooks
    net = safety_net_catches(ours.pop("changes"), hooks.pop("changes"), ours["silent_changes"])
    for p in (ours, hooks):
        p.pop("silent_changes")
    net["api_calls_by_class"] = {
        "stravasync": ours.get("api_calls_by_class"),
        "webhook-only": hooks.get("api_calls_by_class"),
    }
    return {"policies": policies, "safety_net": net}


def _club_mode(
    scenario: Scenario,
    work: Path,
    workers: int,
    selected: tuple[str, ...] = POLICIES,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``selected`` policies and merge them with ``previous`` (see :func:`_merge_mode`)."""
    return _merge_mode(_run_policies(scenario, work, workers, selected), previous)


PARTIAL = "club-week.partial.json"


def club_week_result(work: Path) -> dict[str, Any]:
    athletes = _env_int("BENCH_CLUB_ATHLETES", 200)
    days = float(os.environ.get("BENCH_CLUB_DAYS", 7))
    workers = max(1, min(_env_int("BENCH_WORKERS", os.cpu_count() or 1), len(POLICIES)))
    selected = _selected()
    ran: dict[str, Any] = {}
    for mode, counted in TOKEN_MODES.items():
        scenario = club_week(athletes=athletes, days=days, token_requests_counted=counted)
        print(f"club-week ({mode}): {', '.join(selected)} on {workers} processes", flush=True)
        ran[mode] = _run_policies(scenario, work / mode, workers, selected)
    if selected != POLICIES:
        # kept before the merge, so a merge that cannot be done loses no run (--merge-partial)
        partial = {"athletes": athletes, "days": days, "seed": scenario.sim.seed, "ran": ran}
        (RESULTS / PARTIAL).write_text(json.dumps(partial) + "\n")
    return _club_week_document(ran, athletes, days, scenario)


def _club_week_document(
    ran: dict[str, Any], athletes: int, days: float, scenario: Scenario
) -> dict[str, Any]:
    complete = all(set(r) == set(POLICIES) for r in ran.values())
    last = {} if complete else _previous_club_week(athletes, days)
    modes = {mode: _merge_mode(ran[mode], last.get(mode)) for mode in TOKEN_MODES}
    return {
        "scenario": "club-week",
        "seed": scenario.sim.seed,
        "config": {
            "athletes": athletes,
            "days": days,
            "warmup_days": scenario.warmup_s / 86400,
            "quota": scenario.sim.quota,
            "webhook_loss": scenario.sim.webhook_loss,
            "late_connects": sorted(
                (a, round(s / 86400, 2))
                for a, s in scenario.connects.items()
                if s >= scenario.warmup_s
            ),
            "deauthorized": sorted(scenario.deauths),
            "database": "sqlite",
            "steady_state": "median of hourly diffs over the last measured day",
        },
        # the headline: Strava counting POST /oauth/token (the simulator's default)
        "policies": modes["token_requests_counted"]["policies"],
        "safety_net": modes["token_requests_counted"]["safety_net"],
        "token_requests_free": modes["token_requests_free"],
    }


def _previous_club_week(athletes: int, days: float) -> dict[str, dict[str, Any]]:
    """The last club-week results by token mode, for a partial rerun of the same world."""
    path = RESULTS / f"{_result_name('club-week')}.json"
    if not path.exists():
        raise SystemExit(f"BENCH_POLICIES needs earlier results in {path}")
    last = json.loads(path.read_text())
    config = last.get("config", {})
    if config.get("athletes") != athletes or config.get("days") != days:
        raise SystemExit(f"{path} holds another club-week ({config}); run every policy")
    free = last["token_requests_free"]
    return {
        "token_requests_counted": {"policies": last["policies"], "safety_net": last["safety_net"]},
        "token_requests_free": free,
    }


def _fresh_pair(scenario: Scenario, work: Path, watch: int | None) -> dict[str, Any]:
    """Our engine and webhook-only on the same world, in two processes."""
    from bench.fresh import run_fresh

    names = [
        n.strip()
        for n in os.environ.get("BENCH_FRESH_POLICIES", "stravasync,webhook-only").split(",")
        if n.strip() in ("stravasync", "webhook-only")
    ]
    with ProcessPoolExecutor(max_workers=max(1, len(names))) as pool:
        futures = {
            name: pool.submit(run_fresh, scenario, work / name, policy=name, watch=watch)
            for name in names
        }
        return {name: f.result() for name, f in futures.items()}


def standard_result(work: Path) -> dict[str, Any]:
    """Issue 24's Standard app: 10 athletes, default quota, the whole activity."""
    from bench.scenarios import heaviest, standard

    days = float(os.environ.get("BENCH_STANDARD_DAYS", 7))
    history = _env_int("BENCH_STANDARD_HISTORY_DAYS", 365)
    warmup = float(os.environ.get("BENCH_STANDARD_WARMUP_DAYS", 3))
    scenario = standard(days=days, warmup_days=warmup, history_days=history)
    if (busy := os.environ.get("BENCH_REFRESH_BUSY_SHARE")) is not None:  # a frontier point
        scenario.settings["sync_refresh_busy_share"] = float(busy)
    heavy = heaviest(scenario.sim, 1)[0]
    print(f"standard: 10 athletes, {days} days, athlete {heavy} connects at +1 h", flush=True)
    for d in ("stravasync", "webhook-only"):
        (work / d).mkdir(parents=True, exist_ok=True)
    policies = _fresh_pair(scenario, work, heavy)
    return {
        "scenario": "standard",
        "seed": scenario.sim.seed,
        "commit": _commit(),
        "config": {
            "athletes": 10,
            "days": days,
            "history_days": history,
            "warmup_days": scenario.warmup_s / 86400,
            "quota": scenario.sim.quota,
            "webhook_loss": scenario.sim.webhook_loss,
            "settings": scenario.settings,
            "watched_athlete": heavy,
            "database": "sqlite",
        },
        "policies": policies,
    }


def club_week_fresh_result(work: Path) -> dict[str, Any]:
    """club-week's world, our engine and webhook-only, with the freshness figures of
    :mod:`bench.fresh` (silent edits apart, reads per hour by class, load). Size by
    BENCH_CLUB_ATHLETES / BENCH_CLUB_DAYS; Strava counting token requests."""
    athletes = _env_int("BENCH_CLUB_ATHLETES", 200)
    days = float(os.environ.get("BENCH_CLUB_DAYS", 7))
    scenario = club_week(athletes=athletes, days=days)
    share = os.environ.get("BENCH_REFRESH_SHARE")  # a point of the frontier (calls/staleness)
    if share is not None:
        scenario.settings["sync_refresh_spare_share"] = float(share)
    if (reconcile := os.environ.get("BENCH_RECONCILE_DAYS")) is not None:
        scenario.settings["sync_reconcile_days"] = float(reconcile)
    print(f"club-week-fresh: {athletes} athletes, {days} days, share {share}", flush=True)
    for d in ("stravasync", "webhook-only"):
        (work / d).mkdir(parents=True, exist_ok=True)
    return {
        "scenario": "club-week-fresh",
        "seed": scenario.sim.seed,
        "commit": _commit(),
        "config": {"athletes": athletes, "days": days, "quota": "default",
                   "refresh_spare_share": scenario.settings.get("sync_refresh_spare_share"),
                   "reconcile_days": scenario.settings.get("sync_reconcile_days", 3),
                   "webhook_loss": scenario.sim.webhook_loss, "database": "sqlite"},
        "policies": _fresh_pair(scenario, work, None),
    }  # fmt: skip


def backfill_result(work: Path) -> dict[str, Any]:
    """The same world twice: Strava counting ``POST /oauth/token`` as a read, and not."""
    athletes = _env_int("BENCH_BACKFILL_ATHLETES", 1000)
    variants = {"stravasync": True, "stravasync-token-requests-free": False}
    policies: dict[str, Any] = {}
    for name, counted in variants.items():
        scenario = backfill(athletes=athletes, token_requests_counted=counted)
        print(f"backfill: {athletes} athletes, token requests counted: {counted} ...", flush=True)
        figures = run_backfill(scenario, work / name, f"sqlite:///{work / name}.db")
        print(f"  done in {figures['wall_seconds']} s", flush=True)
        policies[name] = figures
    return {
        "scenario": "backfill",
        "seed": scenario.sim.seed,
        "config": {
            "athletes": athletes,
            "quota": "extended",
            "horizon_days": 3,
            "history_days": scenario.sim.history_days,
            "heavy_history_days": scenario.sim.heavy_history_days,
        },
        "policies": policies,
    }


def _cost_run(kind: str, size: int, days: float, streams: bool, work: Path) -> dict[str, Any]:
    """One quota-cost run in its own process: club-week or backfill, streams on or off."""
    from dataclasses import replace

    from bench.summary import policy_figures

    extra = {"sync_enrich_streams": "on" if streams else "off"}
    if kind == "club-week":
        scenario = club_week(athletes=size, days=days)
        scenario = replace(scenario, settings={**scenario.settings, **extra})
        db = f"sqlite:///{work / 'club.db'}"
        figures = policy_figures(run_policy("stravasync", scenario, work / "club", db))
        keep: tuple[str, ...] = ("api_calls", "calls_per_athlete_per_day", "warmup_api_calls")
        keep += ("http_429", "api_calls_by_endpoint", "api_calls_by_class", "budget_classes")
        keep += ("missing", "stale", "stale_detail", "wall_seconds", "quota_cost")
        keep += ("daily_reserve_check",)
        return {k: figures[k] for k in keep}
    scenario = backfill(athletes=size, horizon_days=days)
    scenario = replace(scenario, settings={**scenario.settings, **extra})
    figures = run_backfill(scenario, work / "backfill", f"sqlite:///{work / 'backfill.db'}")
    figures.pop("series", None)
    return figures


# name -> (scenario, streams fetched)
COST_RUNS = {
    "club-week": ("club-week", True),
    "club-week-without-streams": ("club-week", False),
    "backfill": ("backfill", True),
}


def quota_cost_result(work: Path) -> dict[str, Any]:
    """Issue 21 point 6: gear and streams reads in club-week and backfill (smaller than the
    headline runs: ``BENCH_COST_CLUB_ATHLETES`` / ``..._CLUB_DAYS``, ``..._BACKFILL_ATHLETES``
    / ``..._BACKFILL_DAYS``), gear on (the default); club-week with and without streams."""
    sizes = {
        "club-week": (
            _env_int("BENCH_COST_CLUB_ATHLETES", 50),
            float(os.environ.get("BENCH_COST_CLUB_DAYS", 2)),
        ),
        "backfill": (
            _env_int("BENCH_COST_BACKFILL_ATHLETES", 100),
            float(os.environ.get("BENCH_COST_BACKFILL_DAYS", 1)),
        ),
    }
    print(f"quota-cost: {sizes} ...", flush=True)
    with ProcessPoolExecutor(max_workers=len(COST_RUNS)) as pool:
        futures = {
            name: pool.submit(_cost_run, kind, *sizes[kind], streams, work / name)
            for name, (kind, streams) in COST_RUNS.items()
        }
        runs = {name: f.result() for name, f in futures.items()}
    return {
        "scenario": "quota-cost",
        "commit": _commit(),
        "config": {
            name: {
                "athletes": sizes[kind][0],
                "days": sizes[kind][1],
                "streams": streams,
                "gear": True,
            }
            for name, (kind, streams) in COST_RUNS.items()
        },
        "runs": runs,
    }


def backfill_archive_result(work: Path) -> dict[str, Any]:
    """The backfill 'with archive' variant: the same world with and without the import."""
    from bench.archive_backfill import compare

    athletes = _env_int("BENCH_ARCHIVE_ATHLETES", 10)
    days = _env_int("BENCH_ARCHIVE_HISTORY_DAYS", 730)
    print(f"backfill-archive: {athletes} athletes, {days} days of history ...", flush=True)
    return {"scenario": "backfill-archive", **compare(athletes, days)}


def daily_reserve_result(work: Path) -> dict[str, Any]:
    from bench.daily_reserve import compare

    return compare(work)


def scale_result(work: Path) -> dict[str, Any]:
    from bench.ingest import DEFAULT_PG
    from bench.scale import run_scale

    pg = os.environ.get("STRAVASYNC_BENCH_POSTGRES_URL", DEFAULT_PG)
    return {"scenario": "scale", **run_scale(work, pg)}


def extended_result(work: Path) -> dict[str, Any]:
    from bench.extended import run_extended

    return {"scenario": "extended", **run_extended(work)}


def ingest_result(work: Path) -> dict[str, Any]:
    count = _env_int("BENCH_INGEST_ACTIVITIES", 100_000)
    print(f"ingest: {count} activities ...", flush=True)
    return {
        "scenario": "ingest",
        "seed": 3,
        "activities": count,
        "databases": run_ingest(work, count),
    }


def _script(args: list[str], timeout: float) -> tuple[int, str, float]:
    t = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, timeout=timeout,
            cwd=HERE.parent,
        )  # fmt: skip
        return proc.returncode, proc.stdout + proc.stderr[-2000:], time.perf_counter() - t
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {timeout} s", time.perf_counter() - t


def webhook_burst_result(work: Path) -> dict[str, Any]:
    script = HERE / "webhook_burst.py"
    if not script.exists():
        return {"scenario": "webhook-burst", "skipped": "bench/webhook_burst.py not present"}
    print("webhook-burst ...", flush=True)
    out = work / "burst.json"
    code, text, wall = _script([str(script), "--json", str(out)], 2400)
    result: dict[str, Any] = {"scenario": "webhook-burst", "exit_code": code,
                              "wall_seconds": round(wall, 1)}  # fmt: skip
    if out.exists():
        result["figures"] = json.loads(out.read_text())
    else:
        result["output"] = text[-3000:]
    return result


def hostile_result(work: Path) -> dict[str, Any]:
    """Issue 25's attack cases against real processes; ``BENCH_HOSTILE_CASES`` picks some."""
    cases = tuple(
        c for c in os.environ.get("BENCH_HOSTILE_CASES", "flood,slow,skew").split(",") if c
    )
    return {**run_hostile(work, cases), "commit": _commit()}


def components_result(work: Path) -> dict[str, Any]:
    """The other engineers' benchmarks, run as they are; their printed figures kept."""
    out: dict[str, Any] = {"scenario": "components"}
    for name, args in (
        ("simulator_speed", [str(HERE / "simulator_speed.py")]),
        ("export_memory", [str(HERE / "export_memory.py"), "--sizes", EXPORT_SIZES]),
    ):
        if not (HERE / f"{name}.py").exists():
            out[name] = {"skipped": "not present"}
            continue
        print(f"components: {name} ...", flush=True)
        code, text, wall = _script(args, 1800)
        out[name] = {"exit_code": code, "output": text.strip(), "wall_seconds": round(wall, 1)}
    return out


RUNNERS = {
    "standard": standard_result,
    "club-week-fresh": club_week_fresh_result,
    "club-week": club_week_result,
    "backfill": backfill_result,
    "backfill-archive": backfill_archive_result,
    "daily-reserve": daily_reserve_result,
    "scale": scale_result,
    "extended": extended_result,
    "ingest": ingest_result,
    "webhook-burst": webhook_burst_result,
    "hostile": hostile_result,
    "components": components_result,
    "quota-cost": quota_cost_result,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scenario", choices=SCENARIOS, default=None)
    parser.add_argument("--report-only", action="store_true", help="only regenerate REPORT.md")
    parser.add_argument(
        "--merge-partial",
        action="store_true",
        help=f"merge results/{PARTIAL} (a BENCH_POLICIES run) into results/club-week.json",
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.merge_partial:
        partial = json.loads((RESULTS / PARTIAL).read_text())
        athletes, days = int(partial["athletes"]), float(partial["days"])
        scenario = club_week(athletes=athletes, days=days, token_requests_counted=False)
        result = _club_week_document(partial["ran"], athletes, days, scenario)
        merged = RESULTS / f"{_result_name('club-week')}.json"
        merged.write_text(json.dumps(result, indent=1) + "\n")
        print(f"club-week: {merged.name} merged from {PARTIAL}")
    elif not args.report_only:
        names = [args.scenario] if args.scenario else list(SCENARIOS)
        for name in names:
            work = Path(tempfile.mkdtemp(prefix=f"bench-{name}-", dir=_scratch()))
            t = time.perf_counter()
            try:
                result = RUNNERS[name](work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            result["wall_seconds_total"] = round(time.perf_counter() - t, 1)
            out = _result_name(name) + os.environ.get("BENCH_RESULT_SUFFIX", "")
            (RESULTS / f"{out}.json").write_text(json.dumps(result, indent=1) + "\n")
            print(f"{name}: results/{out}.json written ({result['wall_seconds_total']} s)")
    path = write_report(RESULTS, HERE / "plots", HERE / "REPORT.md")
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
