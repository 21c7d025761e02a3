"""Strava's display names of sport types (as an export's ``Activity Type`` holds them) -> the
API's ``SportType`` values (pure data and one lookup).

Names are compared folded: lower case, accents kept, everything but letters and digits dropped,
so ``Virtual Ride``, ``E-Bike Ride`` and ``Stair-Stepper`` find their value without a table
entry. The tables hold the names that folding cannot derive: Strava's own wording
(``Football (Soccer)``, ``Rock Climb``, ``HIIT``), older type names, and the names a localized
export uses (see docs/importing.md for which were checked against real exports).
"""

from __future__ import annotations

import re

SPORT_TYPES = (
    "AlpineSki", "BackcountrySki", "Badminton", "Basketball", "Canoeing", "Cricket", "Crossfit",
    "Dance", "EBikeRide", "Elliptical", "EMountainBikeRide", "Golf", "GravelRide", "Handcycle",
    "HighIntensityIntervalTraining", "Hike", "IceSkate", "InlineSkate", "Kayaking", "Kitesurf",
    "MountainBikeRide", "NordicSki", "Padel", "PhysicalTherapy", "Pickleball", "Pilates",
    "Racquetball", "Ride", "RockClimbing", "RollerSki", "Rowing", "Run", "Sail", "Skateboard",
    "Snowboard", "Snowshoe", "Soccer", "Squash", "StairStepper", "StandUpPaddling", "Surfing",
    "Swim", "TableTennis", "Tennis", "TrailRun", "Velomobile", "VirtualRide", "VirtualRow",
    "VirtualRun", "Volleyball", "Walk", "WeightTraining", "Wheelchair", "Windsurf", "Workout",
    "Yoga",
)  # fmt: skip

# English display names that folding does not turn into the API value.
DISPLAY_NAMES = {
    "Football (Soccer)": "Soccer",
    "Soccer": "Soccer",
    "Rock Climb": "RockClimbing",
    "Rock Climbing": "RockClimbing",
    "HIIT": "HighIntensityIntervalTraining",
    "High Intensity Interval Training": "HighIntensityIntervalTraining",
    "Canoe": "Canoeing",
    "Kayak": "Kayaking",
    "Row": "Rowing",
    "Virtual Rowing": "VirtualRow",
    "Stand Up Paddle": "StandUpPaddling",
    "Stand-Up Paddling": "StandUpPaddling",
    "Hand Cycle": "Handcycle",
    "Ski": "AlpineSki",
    "Kitesurfing": "Kitesurf",
    "Windsurfing": "Windsurf",
    "Sailing": "Sail",
    "Surf": "Surfing",
    "Weight Lifting": "WeightTraining",
    "E-Mountain Bike": "EMountainBikeRide",
    "Mountain Bike": "MountainBikeRide",
    "Gravel Bike Ride": "GravelRide",
    "Physio": "PhysicalTherapy",
}

# Localized display names by language (ISO 639-1). "fr" was seen in real exports; the others
# are Strava's usual wording for the most common types (see docs/importing.md).
LOCALIZED = {
    "fr": {
        "Course à pied": "Run", "Vélo": "Ride", "Natation": "Swim", "Marche": "Walk",
        "Randonnée": "Hike", "Entraînement": "Workout", "Musculation": "WeightTraining",
        "Vélo virtuel": "VirtualRide", "Course à pied virtuelle": "VirtualRun",
        "Trail": "TrailRun", "VTT": "MountainBikeRide", "Vélo gravel": "GravelRide",
        "Vélo électrique": "EBikeRide", "Ski alpin": "AlpineSki", "Ski de fond": "NordicSki",
        "Aviron": "Rowing", "Escalade": "RockClimbing", "Football": "Soccer",
    },
    "de": {
        "Lauf": "Run", "Radfahrt": "Ride", "Schwimmen": "Swim", "Spaziergang": "Walk",
        "Wanderung": "Hike", "Krafttraining": "WeightTraining",
        "Virtuelle Radfahrt": "VirtualRide", "Virtueller Lauf": "VirtualRun",
        "Trailrun": "TrailRun", "Mountainbiketour": "MountainBikeRide",
        "Gravel-Radfahrt": "GravelRide", "E-Bike-Fahrt": "EBikeRide", "Rudern": "Rowing",
        "Klettern": "RockClimbing", "Fußball": "Soccer", "Ski Alpin": "AlpineSki",
        "Langlauf": "NordicSki",
    },
    "nl": {
        "Hardloopsessie": "Run", "Hardlopen": "Run", "Fietsrit": "Ride", "Zwemmen": "Swim",
        "Wandeling": "Walk", "Wandelen": "Walk", "Hike": "Hike", "Krachttraining": "WeightTraining",
        "Virtuele fietsrit": "VirtualRide", "Virtuele hardloopsessie": "VirtualRun",
        "Roeien": "Rowing", "Voetbal": "Soccer",
    },
    "es": {
        "Carrera": "Run", "Bicicleta": "Ride", "Natación": "Swim", "Caminata": "Walk",
        "Excursión": "Hike", "Entrenamiento": "Workout",
        "Entrenamiento con pesas": "WeightTraining",
        "Bicicleta virtual": "VirtualRide", "Carrera virtual": "VirtualRun",
        "Carrera por montaña": "TrailRun", "Remo": "Rowing", "Fútbol": "Soccer",
    },
    "pt": {
        "Corrida": "Run", "Pedalada": "Ride", "Natação": "Swim", "Caminhada": "Walk",
        "Trilha": "Hike", "Treino": "Workout", "Treino com pesos": "WeightTraining",
        "Pedalada virtual": "VirtualRide", "Corrida virtual": "VirtualRun", "Remo": "Rowing",
        "Futebol": "Soccer",
    },
    "it": {
        "Corsa": "Run", "Giro in bici": "Ride", "Nuoto": "Swim", "Camminata": "Walk",
        "Escursione": "Hike", "Allenamento": "Workout", "Allenamento con i pesi": "WeightTraining",
        "Giro in bici virtuale": "VirtualRide", "Corsa virtuale": "VirtualRun",
        "Canottaggio": "Rowing", "Calcio": "Soccer",
    },
}  # fmt: skip


def fold(name: str) -> str:
    """``Football (Soccer)`` -> ``footballsoccer``: the form names are compared in."""
    return re.sub(r"[\W_]+", "", name.casefold())


_ENGLISH = {fold(v): v for v in SPORT_TYPES} | {fold(k): v for k, v in DISPLAY_NAMES.items()}
_LOCAL = {lang: {fold(k): v for k, v in names.items()} for lang, names in LOCALIZED.items()}


def sport_type(display: str, language: str | None = None) -> str | None:
    """The API's SportType for a display name, or None when the name is not known."""
    key = fold(display)
    if not key:
        return None
    if language in _LOCAL and key in _LOCAL[language]:
        return _LOCAL[language][key]
    if key in _ENGLISH:
        return _ENGLISH[key]
    for names in _LOCAL.values():
        if key in names:
            return names[key]
    return None


def languages_of(display: str) -> set[str]:
    """The languages whose type names include ``display`` (for detecting an export's language)."""
    key = fold(display)
    return {lang for lang, names in _LOCAL.items() if key in names and key not in _ENGLISH}
