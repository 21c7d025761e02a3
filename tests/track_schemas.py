"""The published GPX 1.1 and TCX v2 schemas (tests/data/schemas, see SOURCES.md), loaded once,
and helpers that validate a track file and read its points back."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import xmlschema

SCHEMAS = Path(__file__).parent / "data" / "schemas"
TPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
TCD = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


@functools.cache
def gpx_schema() -> xmlschema.XMLSchema:
    """GPX 1.1 with Garmin's TrackPointExtension v1 (so hr/cad/atemp are checked too)."""
    return xmlschema.XMLSchema(
        str(SCHEMAS / "gpx.xsd"), locations=[(TPX, "TrackPointExtensionv1.xsd")]
    )


@functools.cache
def tcx_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "TrainingCenterDatabasev2.xsd"))


def schema_errors(fmt: str, data: bytes) -> list[str]:
    schema = gpx_schema() if fmt == "gpx" else tcx_schema()
    return [str(e).splitlines()[0] for e in schema.iter_errors(data.decode("utf-8"))]


def tcx_points(data: bytes) -> list[tuple[datetime, float, float]]:
    """``(time, lat, lon)`` of every TCX trackpoint."""
    root = ET.fromstring(data)
    out = []
    for tp in root.iter(f"{TCD}Trackpoint"):
        when = datetime.fromisoformat(tp.findtext(f"{TCD}Time", "").replace("Z", "+00:00"))
        lat = float(tp.findtext(f"{TCD}Position/{TCD}LatitudeDegrees", "nan"))
        lon = float(tp.findtext(f"{TCD}Position/{TCD}LongitudeDegrees", "nan"))
        out.append((when, lat, lon))
    return out
