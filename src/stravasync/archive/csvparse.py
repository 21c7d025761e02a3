"""activities.csv of a Strava account export: pure parsing by column name and position.

Real exports repeat some names: the first ``Elapsed Time`` and ``Distance`` are display values
(distance in km or miles), the later ones precise (seconds, metres); ``Max Heart Rate`` appears
twice too. Columns vary between exports: unknown ones are reported and ignored, missing optional
ones are simply absent; only ``Activity ID`` and ``Activity Date`` are required.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from stravasync.archive.errors import Problem

REQUIRED = ("Activity ID", "Activity Date")
KNOWN = frozenset(
    {
        "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
        "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
        "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
        "Moving Time", "Max Speed", "Average Speed", "Elevation Gain", "Elevation Loss",
        "Elevation Low", "Elevation High", "Max Grade", "Average Grade", "Average Positive Grade",
        "Average Negative Grade", "Max Cadence", "Average Cadence", "Average Heart Rate",
        "Max Watts", "Average Watts", "Calories", "Max Temperature", "Average Temperature",
        "Total Work", "Number of Runs", "Uphill Time", "Downhill Time", "Other Time",
        "Perceived Exertion", "Type", "Start Time", "Weighted Average Power", "Power Count",
        "Prefer Perceived Exertion", "Perceived Relative Effort", "Total Weight Lifted",
        "From Upload", "Grade Adjusted Distance", "Weather Observation Time", "Weather Condition",
        "Weather Temperature", "Apparent Temperature", "Dewpoint", "Humidity", "Weather Pressure",
        "Wind Speed", "Wind Gust", "Wind Bearing", "Precipitation Intensity", "Sunrise Time",
        "Sunset Time", "Moon Phase", "Bike", "Gear", "Precipitation Probability",
        "Precipitation Type", "Cloud Cover", "Weather Visibility", "UV Index", "Weather Ozone",
        "Jump Count", "Total Grit", "Average Flow", "Flagged", "Average Elapsed Speed",
        "Dirt Distance", "Newly Explored Distance", "Newly Explored Dirt Distance",
        "Activity Count", "Total Steps", "Carbon Saved", "Pool Length", "Training Load",
        "Intensity", "Average Grade Adjusted Pace", "Timer Time", "Total Cycles", "Media",
    }
)  # fmt: skip
DATE_FORMATS = (
    "%b %d, %Y, %I:%M:%S %p",  # Jul 1, 2025, 6:30:00 AM
    "%b %d, %Y, %H:%M:%S",
    "%d %b %Y, %H:%M:%S",  # 1 Jul 2025, 06:30:00
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
)


@dataclass(frozen=True, slots=True)
class CsvActivity:
    """One row of activities.csv, values parsed; None where the export had no value."""

    line: int
    id: int
    start: datetime  # UTC
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


class MissingColumns(ValueError):
    def __init__(self, columns: list[str]) -> None:
        super().__init__("activities.csv lacks required column(s): " + ", ".join(columns))
        self.columns = columns


def parse_date(text: str) -> datetime:
    value = " ".join(text.split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"unreadable Activity Date {text!r}")


def _num(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.strip().replace(",", ""))
    except ValueError:
        return None


def _bool(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    return None


class _Columns:
    """Positions of each header name, in order of appearance."""

    def __init__(self, header: list[str]) -> None:
        self.positions: dict[str, list[int]] = {}
        for index, name in enumerate(header):
            self.positions.setdefault(name.strip(), []).append(index)

    def get(self, row: list[str], name: str, occurrence: int = 0) -> str | None:
        found = self.positions.get(name, [])
        if not found:
            return None
        index = found[min(occurrence, len(found) - 1)]
        return row[index] if index < len(row) else None

    def precise(self, row: list[str], name: str) -> str | None:
        """The later (precise) of a repeated column, else the only one."""
        return self.get(row, name, 1)


def parse_activities_csv(text: str) -> CsvParse:
    """Parse the CSV text; raises :class:`MissingColumns` if a required column is absent."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, [])
    cols = _Columns(header)
    missing = [name for name in REQUIRED if name not in cols.positions]
    if missing:
        raise MissingColumns(missing)
    out = CsvParse(unknown_columns=sorted({h.strip() for h in header} - KNOWN - {""}))
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
    return out


def _row(cols: _Columns, row: list[str], line: int) -> CsvActivity:
    raw_id = (cols.get(row, "Activity ID") or "").strip()
    if not raw_id.isdigit():
        raise ValueError(f"bad Activity ID {raw_id!r}")
    distance = _num(cols.precise(row, "Distance"))
    if len(cols.positions.get("Distance", [])) < 2 and distance is not None:
        distance *= 1000.0  # only the display column (km) is there
    return CsvActivity(
        line=line,
        id=int(raw_id),
        start=parse_date(cols.get(row, "Activity Date") or ""),
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
        commute=_bool(cols.get(row, "Commute")),
    )
