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
