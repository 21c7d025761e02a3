"""Sport types from Strava's display names: every SportType value, Strava's own wording, the
names older and localized exports use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stravasync.archive.build import sport_type as build_sport_type
from stravasync.archive.sports import DISPLAY_NAMES, LOCALIZED, SPORT_TYPES, sport_type

CONTRACT = Path(__file__).parents[2] / "contract" / "strava_models.json"
PUBLISHED = json.loads(CONTRACT.read_text())["definitions"]["SportType"]["enum"]

# How Strava's site and exports write each type where it is not the value split into words.
STRAVA_WORDING = {
    "Canoeing": "Canoe",
    "EBikeRide": "E-Bike Ride",
    "EMountainBikeRide": "E-Mountain Bike Ride",
    "HighIntensityIntervalTraining": "HIIT",
    "RockClimbing": "Rock Climb",
    "Soccer": "Football (Soccer)",
    "StairStepper": "Stair-Stepper",
    "StandUpPaddling": "Stand Up Paddling",
}


def display(value: str) -> str:
    return STRAVA_WORDING.get(value) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value)


def test_the_table_is_strava_published_enum() -> None:
    assert sorted(SPORT_TYPES) == sorted(PUBLISHED)


@pytest.mark.parametrize("value", PUBLISHED)
def test_every_sport_type_from_its_display_name(value: str) -> None:
    assert sport_type(display(value)) == value
    assert sport_type(value) == value  # exports that write the API value
    assert build_sport_type(display(value)) == value


@pytest.mark.parametrize(("name", "value"), sorted(DISPLAY_NAMES.items()))
def test_strava_wording_and_older_names(name: str, value: str) -> None:
    assert sport_type(name) == value


@pytest.mark.parametrize(
    ("language", "name", "value"),
    [(lang, name, value) for lang, names in LOCALIZED.items() for name, value in names.items()],
)
def test_localized_type_names(language: str, name: str, value: str) -> None:
    assert value in SPORT_TYPES
    assert sport_type(name, language) == value
    assert sport_type(name.upper(), language) == value


def test_the_issue_examples() -> None:
    assert build_sport_type("Football (Soccer)") == "Soccer"
    assert build_sport_type("Rock Climb") == "RockClimbing"
    assert build_sport_type("E-Bike Ride") == "EBikeRide"


def test_an_unknown_name_is_none_and_passes_through_the_builder() -> None:
    assert sport_type("Underwater Hockey") is None
    assert sport_type("") is None
    assert build_sport_type("Underwater Hockey") == "UnderwaterHockey"
