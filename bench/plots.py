"""Matplotlib PNGs for the report (Agg backend, no display)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLORS = {
    "stravasync": "#d62728",
    "seed001": "#1f77b4",
    "seed002": "#2ca02c",
    "seed003": "#9467bd",
    "seed004": "#ff7f0e",
}


def freshness_cdf(scenario: str, policies: dict[str, Any], out: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, fig_data in policies.items():
        delays = fig_data["series"]["create_delays_s"]
        total = max(fig_data["creates"], 1)
        if not delays:
            ax.plot([], [], label=f"{name} (none mirrored)", color=COLORS.get(name))
            continue
        xs = [max(d, 1) / 3600.0 for d in delays]
        ys = [(i + 1) / total for i in range(len(delays))]
        ax.step(xs, ys, where="post", label=name, color=COLORS.get(name))
    ax.set_xscale("log")
    ax.set_xlabel("delay from visible on Strava to mirrored (hours, log)")
    ax.set_ylabel("share of new activities mirrored")
    ax.set_ylim(0, 1.02)
    ax.axvline(120 / 3600.0, color="grey", linestyle=":", label="120 s target")
    ax.set_title(f"{scenario}: freshness of new activities (CDF; never mirrored = below the top)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    path = out / f"{scenario}-freshness-cdf.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def calls_per_day(scenario: str, policies: dict[str, Any], out: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    names = list(policies)
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        daily = policies[name]["daily"]
        xs = [row["day"] + (i - (len(names) - 1) / 2) * width for row in daily]
        ax.bar(xs, [row["api_calls"] for row in daily], width, label=name,
               color=COLORS.get(name))  # fmt: skip
    ax.set_xlabel("simulated day")
    ax.set_ylabel("API calls (all endpoints)")
    ax.set_title(f"{scenario}: API calls per day per policy")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    path = out / f"{scenario}-calls-per-day.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def budget_use(scenario: str, policies: dict[str, Any], limit: int, out: Path) -> Path:
    names = list(policies)
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 1.6 + 1.4 * len(names)), sharex=True,
                             squeeze=False)  # fmt: skip
    for ax, name in zip(axes[:, 0], names, strict=True):
        windows = policies[name]["series"]["budget_windows"]
        if not windows:
            continue
        t0 = windows[0][0]
        xs = [(w - t0) / 86400.0 for w, _ in windows]
        ax.bar(xs, [n for _, n in windows], width=900 / 86400.0, color=COLORS.get(name, "k"))
        ax.axhline(limit, color="black", linestyle="--", linewidth=0.8)
        ax.set_ylabel(name, fontsize=8)
        ax.set_ylim(0, max(limit * 1.3, max(n for _, n in windows) * 1.05))
    axes[-1, 0].set_xlabel("days since start (warm-up included); dashed: 15-min read limit")
    fig.suptitle(f"{scenario}: requests per 15-minute window")
    path = out / f"{scenario}-budget-windows.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def completion(scenario: str, curve: list[list[float]], optimum_s: float, out: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot([t / 3600.0 for t, _ in curve], [n for _, n in curve], color=COLORS["stravasync"],
            label="athletes with complete summary history")  # fmt: skip
    ax.axvline(optimum_s / 3600.0, color="grey", linestyle=":", label="quota optimum")
    ax.set_xlabel("hours since connect")
    ax.set_ylabel("athletes complete")
    ax.set_title(f"{scenario}: backfill progress")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    path = out / f"{scenario}-completion.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


KIND_COLORS = {"create": "#1f77b4", "update": "#d62728", "delete": "#2ca02c"}
CLASS_COLORS = {
    "interactive": "#7f7f7f",
    "webhook": "#1f77b4",
    "incremental": "#17becf",
    "refresh": "#d62728",
    "backfill": "#ff7f0e",
    "enrich": "#2ca02c",
    "reconcile": "#9467bd",
}


def change_delays(name: str, delays: list[list[Any]], out: Path) -> Path:
    """Each change mirrored: when it happened (hours into the measured run) and how long it
    took (minutes, log); the 15 min and 1 h targets dashed."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for kind, color in KIND_COLORS.items():
        pts = [(h, max(d, 1) / 60.0) for h, d, k in delays if k == kind]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=8, color=color,
                       label=f"{kind} ({len(pts)})", alpha=0.7)  # fmt: skip
    ax.set_yscale("log")
    for y, label in ((15, "15 min"), (60, "1 h")):
        ax.axhline(y, color="grey", linestyle="--", linewidth=0.8)
        ax.text(0, y * 1.08, label, fontsize=7, color="grey")
    ax.set_xlabel("hours since the measured run began (when the change happened)")
    ax.set_ylabel("delay until mirrored (min, log)")
    ax.set_title(f"{name}: freshness of every change over time")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    path = out / f"{name}-delays.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def reads_per_hour(
    name: str, hourly: list[dict[str, Any]], load: list[list[float]], out: Path
) -> Path:
    """Reads per hour by budget class (stacked) and the machine's 1-minute load average."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    hours = [row["hour"] for row in hourly]
    bottom = [0.0] * len(hourly)
    for cls, color in CLASS_COLORS.items():
        ys = [float(row.get(cls, 0)) for row in hourly]
        if any(ys):
            ax.bar(hours, ys, 1.0, bottom=bottom, color=color, label=cls)
            bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
    ax.axhline(1000 / 24, color="black", linestyle=":", linewidth=0.8)
    ax.set_xlabel("hours since the measured run began; dotted: 1,000 reads a day spread evenly")
    ax.set_ylabel("reads per hour")
    ax.legend(fontsize=7, loc="upper left")
    if load:
        twin = ax.twinx()
        twin.plot([p[0] for p in load], [p[2] for p in load], color="black", linewidth=0.8,
                  label="loadavg (1 min)")  # fmt: skip
        twin.set_ylabel("machine load average (2 cores)")
        twin.legend(fontsize=7, loc="upper right")
    ax.set_title(f"{name}: reads per hour by class, and the machine's load")
    path = out / f"{name}-reads-per-hour.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def scale_out(points: list[dict[str, Any]], out: Path) -> Path:
    """Extended: reads per second against workers for each size (dashed: linear from one
    worker), and database time per unit of work with the load average."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    for p in points:
        runs = sorted(p["runs"], key=lambda r: r["workers"])
        ws = [r["workers"] for r in runs]
        (line,) = left.plot(ws, [r["reads_per_s"] for r in runs], marker="o",
                            label=f"{p['athletes']:,} athletes")  # fmt: skip
        left.plot(ws, [runs[0]["reads_per_s"] * w for w in ws], linestyle="--",
                  color=line.get_color(), linewidth=0.8)  # fmt: skip
        right.plot(ws, [r["db_ms_per_unit"] or 0 for r in runs], marker="o",
                   color=line.get_color(), label=f"{p['athletes']:,}")  # fmt: skip
        right.plot(ws, [r["loadavg_1_5_15"][0] * 10 for r in runs], marker="x",
                   linestyle=":", color=line.get_color())  # fmt: skip
    left.set_xlabel("worker processes")
    left.set_ylabel("Strava reads per second (all workers)")
    left.set_title("throughput; dashed: linear in workers")
    left.legend(fontsize=7)
    right.set_xlabel("worker processes")
    right.set_ylabel("database ms per unit of work (o); load average x 10 (x)")
    right.set_title("database time per unit, machine load")
    right.legend(fontsize=7)
    for ax in (left, right):
        ax.set_xticks(sorted({r["workers"] for p in points for r in p["runs"]}))
        ax.grid(True, alpha=0.3)
    path = out / "extended-scale-out.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
