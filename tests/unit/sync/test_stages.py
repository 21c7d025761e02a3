"""Stage timings of a pass: measured stages kept, store is the rest, never negative."""

from __future__ import annotations

from stravasync.sync.outcomes.stages import port_delta, stage_seconds


def test_store_is_what_the_measured_stages_leave() -> None:
    measured = {"listing": 1.5, "detail": 0.25, "stats": 0.25, "bogus": 9.0, "store": 7.0}
    assert stage_seconds(3.0, measured) == {
        "listing": 1.5,
        "detail": 0.25,
        "stats": 0.25,
        "store": 1.0,
    }
    assert stage_seconds(1.0, {"listing": 2.0}) == {"listing": 2.0, "store": 0.0}


def test_port_delta_counts_only_this_pass() -> None:
    assert port_delta({"listing": 4.0}, {"listing": 5.5, "detail": 1.0}) == {
        "listing": 1.5,
        "detail": 1.0,
    }
