"""Values as XML text for the track files: numbers and UTC instants (xsd:decimal, xsd:double,
xsd:dateTime)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from xml.sax.saxutils import escape


def num(value: float) -> str:
    """A finite number as the shortest text that reads back the same (``0`` if not finite)."""
    if isinstance(value, int):
        return str(value)
    return repr(float(value)) if math.isfinite(value) else "0"


def decimal(value: float, places: int) -> str:
    """A number as plain decimal text (xsd:decimal has no exponent): the shortest text that
    reads back the same, or, for a tiny or huge value, at most ``places`` decimals."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "0"
    text = repr(float(value))
    if "e" not in text:
        return text.removesuffix(".0")
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def stamp(when: datetime) -> str:
    """``2026-03-02T07:00:05Z`` (with the fraction of a second when the instant has one)."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


_NOT_XML = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def text(value: str) -> str:
    """Free text (a name, a note) as XML character data: escaped, and without the characters
    XML 1.0 cannot carry (control characters, lone surrogates)."""
    clean = value.translate(_NOT_XML).encode("utf-8", "ignore").decode("utf-8")
    return escape(clean)
