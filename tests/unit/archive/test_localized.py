"""Localized exports (real German and French headers), current English columns, HTML header
cells, month names in any export language, and the language named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stravasync.archive.csvparse import parse_activities_csv
from stravasync.archive.locales import clean_header, parse_date
from tests.archive_material import (
    HEADER_DE_92,
    HEADER_EN_103,
    HEADER_FR_21,
    MISSING_STEPS,
    csv_text,
)


def test_current_english_columns_are_all_known() -> None:
    text = csv_text(
        HEADER_EN_103,
        [{("Activity ID", 1): "5", ("Activity Date", 1): "Sep 20, 2026, 2:12:12 PM",
          ("Recovery", 1): "true", ("With Pet", 1): "false", ("Long Run", 1): "true"}],
    )  # fmt: skip
    parsed = parse_activities_csv(text)
    assert parsed.unknown_columns == []
    assert parsed.language == "en" and parsed.language_name == "English"
    assert parsed.rows[0].start == datetime(2026, 9, 20, 14, 12, 12, tzinfo=UTC)


def test_untranslated_html_header_cells_are_cleaned() -> None:
    assert clean_header(MISSING_STEPS) == "Total Steps"
    assert clean_header("<b>Max</b> &amp; Min ") == "Max & Min"
    text = csv_text(
        HEADER_EN_103.replace("Total Steps", "X_STEPS"),
        [{("Activity ID", 1): "1", ("Activity Date", 1): "Jul 1, 2025, 6:30:00 AM"}],
    ).replace("X_STEPS", '"' + MISSING_STEPS.replace('"', '""') + '"', 1)
    parsed = parse_activities_csv(text)
    assert parsed.unknown_columns == []
    assert [r.id for r in parsed.rows] == [1]


def test_real_german_header_with_german_values() -> None:
    text = csv_text(
        HEADER_DE_92,
        [{("Aktivitäts-ID", 1): "12345", ("Aktivitätsdatum", 1): "20.09.2026, 14:12:12",
          ("Name der Aktivität", 1): "Nachmittagslauf", ("Aktivitätsart", 1): "Lauf",
          ("Verstrichene Zeit", 1): "9999", ("Verstrichene Zeit", 2): "300",
          ("Bewegungszeit", 1): "290", ("Distanz", 1): "10,20", ("Distanz", 2): "5000",
          ("Max. Herzfrequenz", 2): "160", ("Durchschnittliche Herzfrequenz", 1): "140",
          ("Pendeln", 2): "true", ("Dateiname", 1): "activities/12345.fit.gz"}],
    )  # fmt: skip
    parsed = parse_activities_csv(text)
    assert parsed.language == "de" and parsed.language_name == "German"
    assert parsed.unknown_columns == [] and parsed.problems == []
    row = parsed.rows[0]
    assert (row.id, row.name, row.activity_type) == (12345, "Nachmittagslauf", "Lauf")
    assert row.start == datetime(2026, 9, 20, 14, 12, 12, tzinfo=UTC)
    assert (row.elapsed_time, row.moving_time, row.distance_m) == (300.0, 290.0, 5000.0)
    assert (row.max_heartrate, row.average_heartrate, row.commute) == (160.0, 140.0, True)
    assert row.filename == "activities/12345.fit.gz"


def test_real_french_header_with_french_months() -> None:
    text = csv_text(
        HEADER_FR_21,
        [{("ID de l'activité", 1): "77", ("Date de l'activité", 1): "3 déc. 2023, 18:01:02",
          ("Nom de l'activité", 1): "Sortie", ("Type d'activité", 1): "Course à pied",
          ("Nom du fichier", 1): "activities/77.gpx", ("Distance", 2): "8000.5",
          ("Durée de déplacement", 1): "2400"}],
    )  # fmt: skip
    parsed = parse_activities_csv(text)
    assert parsed.language == "fr" and parsed.unknown_columns == []
    row = parsed.rows[0]
    assert row.start == datetime(2023, 12, 3, 18, 1, 2, tzinfo=UTC)
    assert (row.activity_type, row.filename, row.distance_m) == (
        "Course à pied",
        "activities/77.gpx",
        8000.5,
    )


def test_spanish_names_seen_in_a_spanish_export_reader() -> None:
    text = (
        "ID de actividad,Fecha de la actividad,Nombre de la actividad,Tipo de actividad,"
        "Nombre del archivo\n"
        '1,"1 ene 2025, 06:30:00",Carrera,Carrera,activities/1.gpx\n'
    )
    parsed = parse_activities_csv(text)
    assert parsed.language == "es" and parsed.language_name == "Spanish"
    assert not parsed.by_position and parsed.unknown_columns == []
    row = parsed.rows[0]
    assert (row.activity_type, row.filename) == ("Carrera", "activities/1.gpx")
    assert row.start == datetime(2025, 1, 1, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "language"),
    [
        ("1 jul. 2025, 06:30:00", None),  # several languages abbreviate July so
        ("1 juil. 2025, 06:30:00", "fr"),
        ("1 mrt 2025, 06:30:00", "nl"),
        ("1 ene 2025, 06:30:00", "es"),
        ("1 de out. de 2025, 06:30:00", "pt"),
        ("1 ott 2025, 06:30:00", "it"),
        ("1 dez. 2025, 06:30:00", None),  # German and Portuguese alike
    ],
)
def test_a_header_no_table_knows_is_read_by_position(date: str, language: str | None) -> None:
    """Dutch, Spanish, Portuguese, Italian headers were not found as real material: columns are
    read by position (Strava keeps the order in every language) and months name the language."""
    header = ",".join(f"Kolom {i}" for i in range(1, 93))
    row = ["9", date, "Ochtendrit", "Yoga", "", "100", "1,5", "", "", "false", "", "",
           "activities/9.gpx", "", "", "3600", "3500", "1500.5"]  # fmt: skip
    parsed = parse_activities_csv(header + "\n" + ",".join(f'"{c}"' for c in row) + "\n")
    assert parsed.by_position and parsed.language == language
    assert "(columns read by position)" in parsed.language_name
    got = parsed.rows[0]
    assert (got.id, got.name, got.filename) == (9, "Ochtendrit", "activities/9.gpx")
    assert (got.elapsed_time, got.moving_time, got.distance_m) == (3600.0, 3500.0, 1500.5)
    assert got.start.hour == 6 and got.start.year == 2025


def test_type_names_tell_the_language_when_months_cannot() -> None:
    header = ",".join(f"Kolonne {i}" for i in range(1, 20))
    lines = [f'{i},"2025-07-0{i} 06:30:00",x,Fietsrit' for i in range(1, 4)]
    parsed = parse_activities_csv(header + "\n" + "\n".join(lines) + "\n")
    assert parsed.language == "nl" and parsed.language_name.startswith("Dutch")


@pytest.mark.parametrize(
    "text",
    [
        "Jul 1, 2025, 6:30:00 PM", "1 Jul 2025, 18:30:00", "2025-07-01 18:30:00",
        "01.07.2025, 18:30:00", "1 juil. 2025, 18:30:00", "1 juli 2025 18:30:00",
        "1 de julho de 2025 18:30:00", "1 lug 2025, 18:30:00", "1 jul 2025, 6:30:00 p. m.",
        "01/07/2025 18:30:00", "1. Juli 2025, 18:30:00",
    ],
)  # fmt: skip
def test_dates_in_every_language(text: str) -> None:
    assert parse_date(text) == datetime(2025, 7, 1, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "32.01.2025, 10:00:00", "1 Foo 2025, 10:00:00"])
def test_unreadable_dates(text: str) -> None:
    with pytest.raises(ValueError, match="unreadable Activity Date"):
        parse_date(text)
