"""Sports: realistic value ranges per sport_type, and the deprecated ``type`` each maps to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sport:
    """Typical values of one sport_type. Speeds in m/s, distances in metres, climb in m per km."""

    sport_type: str
    legacy_type: str
    speed: float
    speed_sd: float
    distance_km: float  # median distance; 0 for sports without distance
    distance_spread: float  # lognormal sigma
    climb_per_km: float
    gps: bool
    trainer: bool = False
    cadence: float | None = None
    watts: float | None = None
    family: str = "other"  # ride | run | swim | other (for stats and workout_type codes)
    minutes: float = 45.0  # median duration for sports without distance


SPORTS: dict[str, Sport] = {
    s.sport_type: s
    for s in (
        Sport("Ride", "Ride", 7.6, 1.0, 45, 0.45, 9, True, cadence=84, watts=175, family="ride"),
        Sport(
            "GravelRide", "Ride", 6.4, 0.8, 55, 0.4, 12, True, cadence=80, watts=165, family="ride"
        ),
        Sport(
            "MountainBikeRide",
            "Ride",
            4.8,
            0.8,
            28,
            0.4,
            28,
            True,
            cadence=74,
            watts=170,
            family="ride",
        ),
        Sport("EBikeRide", "EBikeRide", 6.5, 0.8, 25, 0.4, 8, True, cadence=70, family="ride"),
        Sport(
            "VirtualRide",
            "VirtualRide",
            9.0,
            1.0,
            35,
            0.35,
            10,
            False,
            trainer=True,
            cadence=88,
            watts=205,
            family="ride",
        ),
        Sport("Run", "Run", 3.0, 0.35, 9, 0.4, 6, True, cadence=84, family="run"),
        Sport("TrailRun", "Run", 2.4, 0.3, 13, 0.4, 38, True, cadence=80, family="run"),
        Sport(
            "VirtualRun",
            "VirtualRun",
            3.1,
            0.3,
            7,
            0.3,
            2,
            False,
            trainer=True,
            cadence=86,
            family="run",
        ),
        Sport("Walk", "Walk", 1.4, 0.15, 4, 0.4, 5, True, family="other"),
        Sport("Hike", "Hike", 1.1, 0.15, 11, 0.4, 60, True, family="other"),
        Sport("Swim", "Swim", 0.75, 0.12, 2.2, 0.35, 0, False, family="swim"),
        Sport("Rowing", "Rowing", 3.6, 0.4, 8, 0.35, 0, False, trainer=True, family="other"),
        Sport("NordicSki", "NordicSki", 3.8, 0.6, 16, 0.4, 15, True, family="other"),
        Sport("AlpineSki", "AlpineSki", 6.0, 1.5, 30, 0.4, 0, True, family="other"),
        Sport(
            "WeightTraining", "WeightTraining", 0, 0, 0, 0.3, 0, False, family="other", minutes=50
        ),
        Sport("Workout", "Workout", 0, 0, 0, 0.3, 0, False, family="other", minutes=40),
        Sport("Yoga", "Yoga", 0, 0, 0, 0.3, 0, False, family="other", minutes=55),
    )
}

# Sport mixes an athlete can have: sport_type -> weight.
MIXES: list[dict[str, float]] = [
    {"Ride": 0.7, "VirtualRide": 0.2, "GravelRide": 0.05, "Run": 0.05},  # roadie
    {"Run": 0.8, "TrailRun": 0.1, "Walk": 0.05, "WeightTraining": 0.05},  # runner
    {"Run": 0.35, "Ride": 0.35, "Swim": 0.2, "VirtualRide": 0.1},  # triathlete
    {"MountainBikeRide": 0.5, "Ride": 0.2, "Hike": 0.2, "TrailRun": 0.1},  # mountains
    {"Walk": 0.4, "Hike": 0.2, "Yoga": 0.2, "Workout": 0.2},  # casual
    {"Run": 0.4, "WeightTraining": 0.3, "Ride": 0.2, "Rowing": 0.1},  # gym
    {"NordicSki": 0.3, "AlpineSki": 0.1, "Run": 0.3, "Ride": 0.3},  # winter
    {"EBikeRide": 0.5, "Walk": 0.3, "Ride": 0.2},  # commuter
]

# Type changes that athletes make after upload (the "wrong sport picked" fix).
RETYPE: dict[str, str] = {
    "Ride": "GravelRide",
    "GravelRide": "Ride",
    "MountainBikeRide": "Ride",
    "EBikeRide": "Ride",
    "VirtualRide": "Ride",
    "Run": "TrailRun",
    "TrailRun": "Run",
    "VirtualRun": "Run",
    "Walk": "Hike",
    "Hike": "Walk",
    "Swim": "Workout",
    "Rowing": "Workout",
    "NordicSki": "Walk",
    "AlpineSki": "NordicSki",
    "WeightTraining": "Workout",
    "Workout": "WeightTraining",
    "Yoga": "Workout",
}


def legacy_type(sport_type: str) -> str:
    """The deprecated ``type`` field for a sport_type (unknown types map to themselves)."""
    sport = SPORTS.get(sport_type)
    return sport.legacy_type if sport else sport_type


def family(sport_type: str) -> str:
    sport = SPORTS.get(sport_type)
    return sport.family if sport else "other"


def default_name(sport_type: str, local_hour: int) -> str:
    """Strava's automatic title: "Morning Ride", "Lunch Run", ..."""
    if 5 <= local_hour < 11:
        part = "Morning"
    elif 11 <= local_hour < 14:
        part = "Lunch"
    elif 14 <= local_hour < 18:
        part = "Afternoon"
    elif 18 <= local_hour < 22:
        part = "Evening"
    else:
        part = "Night"
    words = {
        "VirtualRide": "Virtual Ride",
        "VirtualRun": "Virtual Run",
        "GravelRide": "Gravel Ride",
        "MountainBikeRide": "Mountain Bike Ride",
        "EBikeRide": "E-Bike Ride",
        "TrailRun": "Trail Run",
        "WeightTraining": "Weight Training",
        "NordicSki": "Nordic Ski",
        "AlpineSki": "Alpine Ski",
    }
    return f"{part} {words.get(sport_type, sport_type)}"


CUSTOM_NAMES = [
    "Coffee ride",
    "Tempo intervals",
    "Hill repeats",
    "Recovery spin",
    "Long one with friends",
    'Sunday "club" ride',
    "Parkrun PB attempt, finally",
    "Commute home",
    "Easy shakeout",
    "Track Tuesday: 6x800m",
    "Rainy, cold, done",
    "Zwift race",
    "Sortie vélo à Lyon",
    "Lap of the lake 🌊",
]
