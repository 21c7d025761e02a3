"""A partial club-week rerun (``BENCH_POLICIES``) and the report's per-policy conditions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bench import __main__ as bench_main
from bench.baselines import BASELINES, describe
from bench.report_fair import conditions_lines
from bench.scenarios import club_week


def test_no_selection_runs_every_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_POLICIES", raising=False)
    assert bench_main._selected() == bench_main.POLICIES


def test_selection_keeps_policy_order_and_refuses_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_POLICIES", "webhook-only, stravasync")
    assert bench_main._selected() == ("stravasync", "webhook-only")
    monkeypatch.setenv("BENCH_POLICIES", "stravasync,webhook-only,seed999")
    with pytest.raises(SystemExit, match="seed999"):
        bench_main._selected()


def test_our_engine_policies_rerun_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net compares stravasync with webhook-only: one without the other is refused."""
    monkeypatch.setenv("BENCH_POLICIES", "stravasync")
    with pytest.raises(SystemExit, match="together"):
        bench_main._selected()


def _figures(name: str) -> dict[str, Any]:
    return {"api_calls": len(name), "commit": f"old-{name}", "conditions": {"athletes": 3}}


def test_policies_not_rerun_come_from_the_last_results_with_their_commit(tmp_path: Path) -> None:
    previous = {
        "policies": {name: _figures(name) for name in bench_main.POLICIES},
        "safety_net": {"caught_only_by_safety_net": 7},
    }
    mode = bench_main._club_mode(club_week(), tmp_path, 1, (), previous)
    assert next(iter(mode["policies"])) == "stravasync"
    assert {n: f["commit"] for n, f in mode["policies"].items()} == {
        n: f"old-{n}" for n in bench_main.POLICIES
    }
    assert mode["safety_net"] == {"caught_only_by_safety_net": 7}


def test_a_policy_without_an_earlier_result_is_refused(tmp_path: Path) -> None:
    previous = {"policies": {"seed001": _figures("seed001")}, "safety_net": {}}
    with pytest.raises(SystemExit, match="no earlier result"):
        bench_main._club_mode(club_week(), tmp_path, 1, (), previous)


def test_earlier_results_of_another_world_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_main, "RESULTS", tmp_path)
    monkeypatch.delenv("BENCH_CLUB_ATHLETES", raising=False)
    monkeypatch.delenv("BENCH_CLUB_DAYS", raising=False)
    with pytest.raises(SystemExit, match="needs earlier results"):
        bench_main._previous_club_week(200, 7.0)
    last = {
        "config": {"athletes": 40, "days": 3.0},
        "policies": {},
        "safety_net": {},
        "token_requests_free": {"policies": {}, "safety_net": {}},
    }
    (tmp_path / "club-week.json").write_text(json.dumps(last))
    with pytest.raises(SystemExit, match="another club-week"):
        bench_main._previous_club_week(200, 7.0)
    last["config"] = {"athletes": 200, "days": 7.0}
    (tmp_path / "club-week.json").write_text(json.dumps(last))
    assert set(bench_main._previous_club_week(200, 7.0)) == set(bench_main.TOKEN_MODES)


def test_the_report_states_every_policys_schedule_quota_scale_and_commit() -> None:
    pol = {
        "stravasync": {"commit": "abc", "conditions": {"athletes": 200, "quota": "default"}},
        "seed004": {"conditions": {"athletes": 1, "single_user": True, "quota": "default"}},
        "seed002": {"commit": "def", "conditions": {"athletes": 200, "quota": "600,30000"}},
    }
    text = "\n".join(conditions_lines(pol))
    assert "**stravasync** (200 athletes, quota `default`, measured on `abc`)" in text
    assert "**seed004** (one athlete (single user)" in text
    assert "not recorded" in text  # seed004 has no commit on record
    assert "Every 30 min" in text  # seed002's schedule, from its class
    for name in BASELINES:
        assert describe(name) and "\n" not in describe(name)


def _engine(name: str) -> dict[str, Any]:
    return {**_figures(name), "commit": "new", "changes": [], "silent_changes": []}


def test_a_partial_run_is_kept_and_merged_with_the_last_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``--merge-partial`` does: the engine's new rows, every baseline's last ones, the
    safety net computed from the new engine rows only."""
    monkeypatch.setattr(bench_main, "RESULTS", tmp_path)
    old_mode = {
        "policies": {name: _figures(name) for name in bench_main.POLICIES},
        "safety_net": {"caught_only_by_safety_net": 99},
    }
    last = {
        "config": {"athletes": 200, "days": 7.0},
        **old_mode,
        "token_requests_free": old_mode,
    }
    (tmp_path / "club-week.json").write_text(json.dumps(last))
    ran = {
        mode: {n: _engine(n) for n in ("stravasync", "webhook-only")}
        for mode in bench_main.TOKEN_MODES
    }
    doc = bench_main._club_week_document(ran, 200, 7.0, club_week())
    for mode in (doc, doc["token_requests_free"]):
        commits = {n: f["commit"] for n, f in mode["policies"].items()}
        assert commits["stravasync"] == commits["webhook-only"] == "new"
        assert commits["seed002"] == "old-seed002" and len(commits) == len(bench_main.POLICIES)
        assert mode["safety_net"]["caught_only_by_safety_net"] == 0  # from the new rows
        assert "changes" not in mode["policies"]["stravasync"]
    assert "changes" in ran["token_requests_counted"]["stravasync"]  # the partial file keeps it
