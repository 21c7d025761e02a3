"""activities.csv of a Strava account export: pure parsing by column name and position.

Real exports repeat some names: the first ``Elapsed Time`` and ``Distance`` are display values
(distance in km or miles), the later ones precise (seconds, metres); ``Max Heart Rate`` appears
twice too. Columns vary between exports: unknown ones are reported and ignored, missing optional
ones are simply absent; only ``Activity ID`` and ``Activity Date`` are required. A localized
header is translated to these English names first (``locales``, ``columns``); a header in a
language no table knows is read by position, since Strava keeps the column order.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from stravasync.archive.columns import ENGLISH
from stravasync.archive.errors import Problem
from stravasync.archive.locales import LANGUAGES, clean_header, date_languages, header_language
from stravasync.archive.locales import parse_date as parse_date
from stravasync.archive.sports import languages_of

REQUIRED = ("Activity ID", "Activity Date")
KNOWN = frozenset(ENGLISH)  # every column an export has had (older ones are a subset)


@dataclass(frozen=True, slots=True)
class CsvActivity:
    """One row of activities.csv, values parsed; None where the export had no value."""

    line: int
    id: int
    start: datetime  # UTC
    date_text: str  # Activity Date as written (its month names tell the language)
    name: str
    activity_type: str
    filename: str
    elapsed_time: float | None
    moving_time: float | None
    distance_m: float | None
    elevation_gain: float | None
    max_speed: float | None
    average_speed: float | None
    average_heartrate: float | None
    max_heartrate: float | None
    average_watts: float | None
    average_cadence: float | None
    calories: float | None
    commute: bool | None


@dataclass(slots=True)
class CsvParse:
    rows: list[CsvActivity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    language: str | None = None  # ISO 639-1 code, None when it could not be told
    by_position: bool = False  # the header's language is not known: columns read by position

    @property
    def language_name(self) -> str:
        name = LANGUAGES.get(self.language or "", "unknown")
        return name + (" (columns read by position)" if self.by_position else "")


class MissingColumns(ValueError):
    def __init__(self, columns: list[str]) -> None:
        super().__init__("activities.csv lacks required column(s): " + ", ".join(columns))
        self.columns = columns


def _num(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    value = text.strip()
    if re.fullmatch(r"-?\d+,\d{1,2}", value):
        value = value.replace(",", ".")  # a decimal comma (localized display values)
    try:
        return float(value.replace(",", ""))
    except ValueError:
        return None


def _bool(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    if value in ("true", "1", "1.0", "yes"):
        return True
    if value in ("false", "0", "0.0", "no"):
        return False
    return None


def _first_bool(*values: bool | None) -> bool | None:
    return next((v for v in values if v is not None), None)


class _Columns:
    """Positions of each header name, in order of appearance."""

    def __init__(self, header: list[str]) -> None:
        self.positions: dict[str, list[int]] = {}
        for index, name in enumerate(header):
            self.positions.setdefault(name, []).append(index)

    def get(self, row: list[str], name: str, occurrence: int = 0) -> str | None:
        found = self.positions.get(name, [])
        if not found:
            return None
        index = found[min(occurrence, len(found) - 1)]
        return row[index] if index < len(row) else None

    def precise(self, row: list[str], name: str) -> str | None:
        """The later (precise) of a repeated column, else the only one."""
        return self.get(row, name, 1)


def _english_header(header: list[str]) -> tuple[list[str], str | None, bool, list[str]]:
    """(header in English names, language, read by position?, unknown localized cells)."""
    language, names = header_language(header)
    if language is not None:
        unknown = sorted({h for h in header if h not in names} - {""})
        return [names.get(h, h) for h in header], language, False, unknown
    if "Activity ID" not in header and len(header) > ENGLISH.index("Filename"):
        # Same order in every language: the leading columns by position, the last is Media.
        english = [
            ENGLISH[i] if i < len(header) - 1 and i < len(ENGLISH) - 1 else "Media"
            for i in range(len(header))
        ]
        return english, None, True, []
    return header, None, False, []


def parse_activities_csv(text: str) -> CsvParse:
    """Parse the CSV text; raises :class:`MissingColumns` if a required column is absent.

    The header may be in any export language (see ``locales``); HTML in its cells is cleaned."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    raw = [clean_header(h) for h in next(reader, [])]
    header, language, by_position, unknown = _english_header(raw)
    cols = _Columns(header)
    missing = [name for name in REQUIRED if name not in cols.positions]
    if missing:
        raise MissingColumns(missing)
    out = CsvParse(language=language, by_position=by_position)
    out.unknown_columns = sorted(set(unknown) | ({h for h in header} - KNOWN - {""}))
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            out.rows.append(_row(cols, row, line))
        except ValueError as exc:
            raw_id = (cols.get(row, "Activity ID") or "").strip()
            out.problems.append(
                Problem(
                    f"activities.csv line {line}",
                    str(exc),
                    int(raw_id) if raw_id.isdigit() else None,
                )
            )
    if out.language is None:
        out.language = _content_language(out.rows)
    return out


def _content_language(rows: list[CsvActivity]) -> str | None:
    """The export's language told by its month and type names (when the header did not)."""
    votes: dict[str, int] = {}
    for row in rows[:200]:
        for lang in date_languages(row.date_text) | languages_of(row.activity_type):
            votes[lang] = votes.get(lang, 0) + 1
    if not votes:
        return None
    top = max(votes.values())
    winners = sorted(lang for lang, n in votes.items() if n == top)
    return winners[0] if len(winners) == 1 else None


def _row(cols: _Columns, row: list[str], line: int) -> CsvActivity:
    raw_id = (cols.get(row, "Activity ID") or "").strip()
    if not raw_id.isdigit():
        raise ValueError(f"bad Activity ID {raw_id!r}")
    date_text = (cols.get(row, "Activity Date") or "").strip()
    distance = _num(cols.precise(row, "Distance"))
    if len(cols.positions.get("Distance", [])) < 2 and distance is not None:
        distance *= 1000.0  # only the display column (km) is there
    return CsvActivity(
        line=line,
        id=int(raw_id),
        start=parse_date(date_text),
        date_text=date_text,
        name=(cols.get(row, "Activity Name") or "").strip(),
        activity_type=(cols.get(row, "Activity Type") or "").strip(),
        filename=(cols.get(row, "Filename") or "").strip(),
        elapsed_time=_num(cols.precise(row, "Elapsed Time")),
        moving_time=_num(cols.get(row, "Moving Time")),
        distance_m=distance,
        elevation_gain=_num(cols.get(row, "Elevation Gain")),
        max_speed=_num(cols.get(row, "Max Speed")),
        average_speed=_num(cols.get(row, "Average Speed")),
        average_heartrate=_num(cols.get(row, "Average Heart Rate")),
        max_heartrate=_num(cols.precise(row, "Max Heart Rate")),
        average_watts=_num(cols.get(row, "Average Watts")),
        average_cadence=_num(cols.get(row, "Average Cadence")),
        calories=_num(cols.get(row, "Calories")),
        commute=_first_bool(_bool(cols.precise(row, "Commute")), _bool(cols.get(row, "Commute"))),
    )
