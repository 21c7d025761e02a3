"""The webhook-burst verdicts: each goal of issue 14 met or missed from the measured figures."""

from __future__ import annotations

from typing import Any

from bench.report import burst
from bench.webhook_burst import goals


def figures(ratio: float, p99: float, lost: int, bad_not_400: int) -> dict[str, Any]:
    endpoint = {"events_per_s": 10.0, "p50_ms": 1.0, "p99_ms": 2.0, "server_cpu_ms_per_event": 1}
    real = {**endpoint, "bad_events": 30, "bad_not_400": bad_not_400, "good_not_200": 0}
    return {"bare_endpoint": endpoint, "webhook_endpoint": real, "throughput_ratio": ratio,
            "p99_ratio": p99, "lost": lost, "load_average_1m": [1.0, 2.0]}  # fmt: skip


def test_each_goal_is_judged_on_its_own_figure() -> None:
    met = {g: v["met"] for g, v in goals(figures(0.8, 1.5, 0, 0)).items()}
    assert met == dict.fromkeys(met, True)
    missed = goals(figures(0.79, 1.51, 1, 1))
    assert not any(v["met"] for v in missed.values())
    assert missed["bad events fail alone"]["value"].startswith("29/30 bad 400")


def test_the_report_names_every_miss() -> None:
    d = figures(0.5, 1.0, 0, 0)
    d["goals"] = goals(d)
    text = "\n".join(
        burst(
            {
                "figures": {
                    "events_per_endpoint": 10,
                    "concurrency": 5,
                    "rounds": 2,
                    "bad_every": 100,
                    "databases": {"sqlite": d},
                }
            }
        )
    )
    assert "- sqlite, throughput >= 0.8x bare: 0.5, **missed**" in text
    assert "- sqlite, p99 <= 1.5x bare: 1.0, met" in text
