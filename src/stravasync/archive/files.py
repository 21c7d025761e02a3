"""Activity files of an export (FIT, GPX, TCX, each possibly gzipped) reduced to a few facts.

Parsing uses fitdecode and gpxpy; TCX goes through the standard library's XML parser. Any
failure becomes :class:`ActivityFileError` with a readable reason; nothing half-parsed escapes.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import fitdecode
import gpxpy
import gpxpy.gpx

from stravasync.archive.errors import ActivityFileError

MAX_FILE_BYTES = 256 * 1024 * 1024  # decompressed; larger files are refused, not read
SEMICIRCLE = 180.0 / 2**31
FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z
TCX_NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What an activity file says: start (UTC), totals, first/last position, offset to local."""

    kind: str  # fit | gpx | tcx
    start: datetime | None = None
    elapsed_time: float | None = None
    moving_time: float | None = None
    distance_m: float | None = None
    elevation_gain: float | None = None
    start_latlng: tuple[float, float] | None = None
    end_latlng: tuple[float, float] | None = None
    has_heartrate: bool = False
    utc_offset: int | None = None  # seconds, when the file records local time (FIT)
    defect: str | None = None  # what stopped a lenient read early (reported as a warning)


def file_kind(name: str) -> str | None:
    lower = name.lower().removesuffix(".gz")
    for kind in ("fit", "gpx", "tcx"):
        if lower.endswith("." + kind):
            return kind
    return None


def read_activity_file(name: str, data: bytes) -> FileFacts:
    """Facts of one archive member; raises :class:`ActivityFileError` if unreadable."""
    kind = file_kind(name)
    if kind is None:
        raise ActivityFileError("unsupported file type (expected .fit, .gpx or .tcx, maybe .gz)")
    if name.lower().endswith(".gz"):
        data = _gunzip(data)
    try:
        if kind == "fit":
            return _fit(data)
        if kind == "gpx":
            return _gpx(data)
        return _tcx(data)
    except ActivityFileError:
        raise
    except Exception as exc:  # a third-party parser's failure, translated at the boundary
        raise ActivityFileError(f"corrupt {kind.upper()} file: {exc}") from exc


def _gunzip(data: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ActivityFileError(f"corrupt gzip data: {exc}") from exc
    if len(out) > MAX_FILE_BYTES:
        raise ActivityFileError("file too large once decompressed")
    return out


def _latlng(lat: Any, lng: Any) -> tuple[float, float] | None:
    if isinstance(lat, int) and isinstance(lng, int):
        return (round(lat * SEMICIRCLE, 6), round(lng * SEMICIRCLE, 6))
    return None


def _fit(data: bytes) -> FileFacts:
    """Facts of a FIT file, read leniently: what decodes before a defect is used.

    Real files stop early or carry junk at the end (an unfinished recording without its final
    checksum, a message whose definition was never written, bytes after the last session);
    the CSV row holds the values that matter, so a defect after anything useful is named in
    ``defect`` instead of refusing the file. A file where nothing useful decodes is refused.
    """
    acc = _FitFacts()
    defect = None
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    acc.add(frame)
    except fitdecode.FitError as exc:
        if not acc.session and acc.first_time is None:
            raise ActivityFileError(
                f"corrupt FIT file: {_fit_defect(exc, acc.messages)} (no session or record before)"
            ) from exc
        defect = (
            f"{_fit_defect(exc, acc.messages)} after {acc.messages} message(s); "
            "what came before is used"
        )
    if not acc.session and acc.first_time is None:
        raise ActivityFileError("FIT file has no session and no records")
    session = acc.session
    start = session.get("start_time") or acc.first_time
    offset = _fit_offset(acc.activity.get("local_timestamp"), acc.activity.get("timestamp"))
    return FileFacts(
        kind="fit",
        start=start.astimezone(UTC) if isinstance(start, datetime) else None,
        elapsed_time=_float(session.get("total_elapsed_time")),
        moving_time=_float(session.get("total_timer_time")),
        distance_m=_float(session.get("total_distance")),
        elevation_gain=_float(session.get("total_ascent")),
        start_latlng=acc.first,
        end_latlng=acc.last,
        has_heartrate=acc.heart,
        utc_offset=offset,
        defect=defect,
    )


class _FitFacts:
    """What the FIT messages read so far say (the first session, the last activity, records)."""

    def __init__(self) -> None:
        self.session: dict[str, Any] = {}
        self.activity: dict[str, Any] = {}
        self.first: tuple[float, float] | None = None
        self.last: tuple[float, float] | None = None
        self.first_time: datetime | None = None
        self.heart = False
        self.messages = 0

    def add(self, frame: Any) -> None:
        self.messages += 1
        values = {f.name: f.value for f in frame.fields if f.value is not None}
        if frame.name == "session" and not self.session:
            self.session = values
        elif frame.name == "activity":
            self.activity = values
        elif frame.name == "record":
            point = _latlng(values.get("position_lat"), values.get("position_long"))
            if point is not None:
                self.first = self.first or point
                self.last = point
            if self.first_time is None and isinstance(values.get("timestamp"), datetime):
                self.first_time = values["timestamp"]
            self.heart = self.heart or values.get("heart_rate") is not None


def _fit_defect(exc: Exception, messages: int) -> str:
    if isinstance(exc, fitdecode.FitEOFError):
        return "FIT file ends early (no final checksum)" if messages else "FIT file cut short"
    if isinstance(exc, fitdecode.FitCRCError):
        return "FIT checksum mismatch"
    if isinstance(exc, fitdecode.FitHeaderError):
        return "unreadable data after the FIT file's end" if messages else "not a FIT header"
    return f"FIT decoding stopped: {exc}"


def _fit_offset(local: Any, stamp: Any) -> int | None:
    """Seconds from UTC to local time, from the FIT activity message (when it has both)."""
    if not isinstance(stamp, datetime):
        return None
    if isinstance(local, int) and not isinstance(local, bool):
        local_s = local + FIT_EPOCH  # FIT local_date_time: seconds since 1989-12-31 local
    elif isinstance(local, datetime):
        local_s = int(local.replace(tzinfo=UTC).timestamp())
    else:
        return None
    offset = local_s - int(stamp.timestamp())
    return offset if abs(offset) <= 14 * 3600 else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _gpx(data: bytes) -> FileFacts:
    gpx = gpxpy.parse(data.decode("utf-8-sig", errors="strict"))
    points = [p for track in gpx.tracks for seg in track.segments for p in seg.points]
    if not points:
        raise ActivityFileError("GPX file has no track points")
    times = [p.time for p in points if p.time is not None]
    start, end = (min(times), max(times)) if times else (None, None)
    uphill = gpx.get_uphill_downhill().uphill if any(p.elevation for p in points) else None
    heart = b"hr>" in data
    return FileFacts(
        kind="gpx",
        start=start.astimezone(UTC) if start else None,
        elapsed_time=(end - start).total_seconds() if start and end else None,
        moving_time=None,
        distance_m=gpx.length_3d() if len(points) > 1 else 0.0,
        elevation_gain=uphill,
        start_latlng=(points[0].latitude, points[0].longitude),
        end_latlng=(points[-1].latitude, points[-1].longitude),
        has_heartrate=heart,
    )


def _tcx(data: bytes) -> FileFacts:
    # No DTDs at all (entity expansion), and expat (>= 2.4.1) limits amplification anyway.
    if b"<!DOCTYPE" in data[:4096].upper():
        raise ActivityFileError("TCX file with a DOCTYPE refused")
    root = ElementTree.fromstring(data.lstrip())  # noqa: S314
    laps = root.findall(f".//{TCX_NS}Lap")
    if not laps:
        raise ActivityFileError("TCX file has no laps")
    start_text = laps[0].get("StartTime")
    start = datetime.fromisoformat(start_text.replace("Z", "+00:00")) if start_text else None
    total_time = sum(float(lap.findtext(f"{TCX_NS}TotalTimeSeconds") or 0) for lap in laps)
    distance = sum(float(lap.findtext(f"{TCX_NS}DistanceMeters") or 0) for lap in laps)
    positions = [
        (float(p.findtext(f"{TCX_NS}LatitudeDegrees") or "nan"),
         float(p.findtext(f"{TCX_NS}LongitudeDegrees") or "nan"))
        for p in root.iter(f"{TCX_NS}Position")
    ]  # fmt: skip
    heart = root.find(f".//{TCX_NS}HeartRateBpm") is not None
    return FileFacts(
        kind="tcx",
        start=start.astimezone(UTC) if start else None,
        elapsed_time=total_time,
        distance_m=distance,
        start_latlng=positions[0] if positions else None,
        end_latlng=positions[-1] if positions else None,
        has_heartrate=heart,
    )
