"""Column names of activities.csv, as real Strava exports write them (pure data).

Strava writes the columns in one order whatever the language; newer exports append columns
before ``Media``. ``ENGLISH`` is the current English header (103 columns). A localized export
translates the names but keeps the order, so a translated header maps onto the English one by
position; ``GERMAN`` (a 92-column export) and ``FRENCH`` (the first 21 columns of an export) are
real headers, ``SPANISH`` five names seen in a Spanish reader of exports, all recorded in
tests/data/archive/SOURCES.md. Where a language's header is not known,
the importer reads the leading columns by position (see ``csvparse``).
"""

from __future__ import annotations

ENGLISH = (
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
    "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade", "Average Grade",
    "Average Positive Grade", "Average Negative Grade", "Max Cadence", "Average Cadence",
    "Max Heart Rate", "Average Heart Rate", "Max Watts", "Average Watts", "Calories",
    "Max Temperature", "Average Temperature", "Relative Effort", "Total Work", "Number of Runs",
    "Uphill Time", "Downhill Time", "Other Time", "Perceived Exertion", "Type", "Start Time",
    "Weighted Average Power", "Power Count", "Prefer Perceived Exertion",
    "Perceived Relative Effort", "Commute", "Total Weight Lifted", "From Upload",
    "Grade Adjusted Distance", "Weather Observation Time", "Weather Condition",
    "Weather Temperature", "Apparent Temperature", "Dewpoint", "Humidity", "Weather Pressure",
    "Wind Speed", "Wind Gust", "Wind Bearing", "Precipitation Intensity", "Sunrise Time",
    "Sunset Time", "Moon Phase", "Bike", "Gear", "Precipitation Probability", "Precipitation Type",
    "Cloud Cover", "Weather Visibility", "UV Index", "Weather Ozone", "Jump Count", "Total Grit",
    "Average Flow", "Flagged", "Average Elapsed Speed", "Dirt Distance", "Newly Explored Distance",
    "Newly Explored Dirt Distance", "Activity Count", "Total Steps", "Carbon Saved", "Pool Length",
    "Training Load", "Intensity", "Average Grade Adjusted Pace", "Timer Time", "Total Cycles",
    "Recovery", "With Pet", "Competition", "Long Run", "For a Cause", "With Kid",
    "Downhill Distance", "Total Sets", "Total Reps", "Media",
)  # fmt: skip

GERMAN = (
    "Aktivitäts-ID", "Aktivitätsdatum", "Name der Aktivität", "Aktivitätsart",
    "Aktivitätsbeschreibung", "Verstrichene Zeit", "Distanz", "Max. Herzfrequenz",
    "Relative Leistung", "Pendeln", "Hinweis zur Privatsphäre für Aktivitäten",
    "Aktivitätsausrüstung", "Dateiname", "Sportlergewicht", "Fahrradgewicht", "Verstrichene Zeit",
    "Bewegungszeit", "Distanz", "Höchstgeschw.", "Durchschnittliche Geschwindigkeit",
    "Höhenzunahme", "Höhenunterschied", "Min. Höhe", "Max. Höhe", "Max. Steigung",
    "Durchschnittliche Steigung", "Durchschnittliche positive Steigung",
    "Durchschnittliche negative Steigung", "Max. Tritt-/Schrittfrequenz",
    "Durchschnittliche Trittfrequenz", "Max. Herzfrequenz", "Durchschnittliche Herzfrequenz",
    "Max. Watt", "Durchschnittliche Watt", "Kalorien", "Max. Temperatur",
    "Durchschnittliche Temperatur", "Relative Leistung", "Gesamtarbeit", "Anzahl Läufe",
    "Bergaufzeit", "Bergabzeit", "Andere Zeit", "Gefühlte Anstrengung", "Art", "Startzeit",
    "Gewichtete durchschnittliche Leistung", "Leistungszahl", "Gefühlte Anstrengung verwenden",
    "Gefühlte relative Leistung", "Pendeln", "Insgesamt gestemmtes Gewicht", "Von Upload",
    "Auf Steigung angepasste Distanz", "Wetterbeobachtungszeit", "Wetterlage",
    "Wetter: Temperatur", "Scheinbare Temperatur", "Taupunkt", "Luftfeuchtigkeit", "Wetter: Druck",
    "Windgeschwindigkeit", "Windböe", "Windrichtung", "Niederschlagsintensität",
    "Sonnenaufgangszeit", "Sonnenuntergangszeit", "Mondphase", "Fahrrad", "Ausrüstung",
    "Niederschlagswahrscheinlichkeit", "Niederschlagsart", "Wolkendecke", "Wetter: Sichtbarkeit",
    "UV-Index", "Wetter: Ozon", "Sprunganzahl", "Schwierigkeit insgesamt",
    "Durchschnittlicher Flow", "Markiert", "Durchschnittsgeschwindigkeit im Aufzeichnungszeitraum",
    "Auf Schotter zurückgelegte Distanz", "Neu getestete Distanz", "Neu getestete Schotterdistanz",
    "Aktivitätsanzahl", "Schritte insgesamt", "Eingesparte CO₂-Emissionen", "Pool-Länge",
    "Trainingsbelastung", "Intensität", "Durchschnittliches auf Steigung angepasstes Tempo",
    "Medien",
)  # fmt: skip

FRENCH = (
    "ID de l'activité", "Date de l'activité", "Nom de l'activité", "Type d'activité",
    "Description de l'activité", "Temps écoulé", "Distance", "Fréquence cardiaque max.",
    "Effort relatif", "Déplacement-transport", "Note privée sur les activités",
    "Matériel utilisé pour l'activité", "Nom du fichier", "Poids de l'athlète", "Poids du vélo",
    "Temps écoulé", "Durée de déplacement", "Distance", "Vitesse max.", "Vitesse moyenne",
    "Dénivelé positif",
)  # fmt: skip


# How many leading columns keep the same meaning in every export seen (before the appended ones).
STABLE_PREFIX = 21


def translation(localized: tuple[str, ...]) -> dict[str, str]:
    """{localized name: English name}, pairing a localized header with ENGLISH by position.

    The last localized column is ``Media``'s translation (exports end with it)."""
    pairs = dict(zip(localized[:-1], ENGLISH[: len(localized) - 1], strict=True))
    if localized[-1] not in pairs:
        pairs[localized[-1]] = (
            "Media" if len(localized) > STABLE_PREFIX else ENGLISH[len(localized) - 1]
        )
    return pairs


# Spanish: the five names a Spanish user's export reader expects (file name, not position).
SPANISH = {
    "ID de actividad": "Activity ID",
    "Fecha de la actividad": "Activity Date",
    "Nombre de la actividad": "Activity Name",
    "Tipo de actividad": "Activity Type",
    "Nombre del archivo": "Filename",
}

TRANSLATIONS = {"de": translation(GERMAN), "fr": translation(FRENCH), "es": SPANISH}
