"""The tier Strava's headers state: read, recorded only on change, said against the budget."""

from __future__ import annotations

from stravasync.strava.quota import tiers
from stravasync.strava.quota.counters import parse_headers
from stravasync.strava.quota.ratelimit import TIERS, Limits

EXTENDED = {
    "X-RateLimit-Limit": "600,6000",
    "X-RateLimit-Usage": "12,340",
    "X-ReadRateLimit-Limit": "300,3000",
    "X-ReadRateLimit-Usage": "10,300",
}


def test_the_four_limits_are_read_only_when_all_are_stated() -> None:
    assert tiers.stated_limits(parse_headers(EXTENDED)) == TIERS["extended"]
    overall_only = {k: v for k, v in EXTENDED.items() if "Read" not in k}
    assert tiers.stated_limits(parse_headers(overall_only)) is None
    assert tiers.stated_limits(parse_headers({})) is None


def test_a_write_is_due_only_when_the_stated_limits_differ_from_the_recorded() -> None:
    extended = TIERS["extended"]
    assert tiers.changed(extended, None)
    assert tiers.changed(extended, {"garbled": 1})
    assert tiers.changed(extended, tiers.as_json(TIERS["default"]))
    assert not tiers.changed(extended, tiers.as_json(extended))
    assert not tiers.changed(None, None)  # nothing stated: nothing to write


def test_the_note_names_the_tier_and_hints_only_when_the_budget_differs() -> None:
    recorded = tiers.as_json(TIERS["extended"])
    note = tiers.tier_note(recorded, TIERS["default"])
    assert note is not None and note.tier == "extended"
    assert note.message.startswith("Strava applies the extended tier (overall 600/15 min")
    assert note.hint == "set STRAVASYNC_RATE_TIER=extended"
    same = tiers.tier_note(recorded, TIERS["extended"])
    assert same is not None and same.hint is None
    assert tiers.tier_note(None, TIERS["default"]) is None


def test_limits_of_no_named_tier_are_given_as_numbers_and_explicit_settings() -> None:
    odd = Limits(10, 100, 5, 50)
    note = tiers.tier_note(tiers.as_json(odd), TIERS["default"])
    assert note is not None and note.tier == "10/100 overall, 5/50"
    assert note.hint is not None and "STRAVASYNC_RATE_TIER=explicit" in note.hint
    assert "STRAVASYNC_RATE_OVERALL_15MIN=10" in note.hint and "_READ_DAILY=50" in note.hint
