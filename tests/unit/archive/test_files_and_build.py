"""Activity files (FIT, GPX, TCX, gzip) to facts, corrupt files, and the summary builder."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import FileType

from stravasync.archive.build import build_summary, sport_type
from stravasync.archive.csvparse import CsvActivity
from stravasync.archive.errors import ActivityFileError
from stravasync.archive.files import FileFacts, read_activity_file

START = datetime(2026, 1, 2, 4, 30, tzinfo=UTC)
T0 = int(START.timestamp())

GPX = b"""<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">
<trk><trkseg>
<trkpt lat="48.0" lon="2.0"><ele>100</ele><time>2026-01-02T04:30:00Z</time></trkpt>
<trkpt lat="48.01" lon="2.0"><ele>150</ele><time>2026-01-02T04:40:00Z</time></trkpt>
</trkseg></trk></gpx>"""

TCX = b"""<?xml version="1.0"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Running"><Id>2026-01-02T04:30:00Z</Id>
<Lap StartTime="2026-01-02T04:30:00Z"><TotalTimeSeconds>600</TotalTimeSeconds>
<DistanceMeters>2000</DistanceMeters><Track><Trackpoint><Time>2026-01-02T04:30:00Z</Time>
<Position><LatitudeDegrees>48.0</LatitudeDegrees><LongitudeDegrees>2.0</LongitudeDegrees>
</Position><HeartRateBpm><Value>120</Value></HeartRateBpm></Trackpoint></Track></Lap>
<Lap StartTime="2026-01-02T04:40:00Z"><TotalTimeSeconds>300</TotalTimeSeconds>
<DistanceMeters>1000</DistanceMeters></Lap></Activity></Activities></TrainingCenterDatabase>"""


def fit_file(offset: int = -5 * 3600) -> bytes:
    b = FitFileBuilder(auto_define=True, min_string_size=50)
    fid = FileIdMessage()
    fid.type = FileType.ACTIVITY
    fid.manufacturer = 1
    fid.product = 0
    fid.serial_number = 1
    fid.time_created = T0 * 1000
    b.add(fid)
    for i in range(3):
        r = RecordMessage()
        r.timestamp = (T0 + i * 60) * 1000
        r.position_lat = 48.0 + i * 0.01
        r.position_long = 2.0
        r.distance = i * 500.0
        r.heart_rate = 130
        b.add(r)
    s = SessionMessage()
    s.timestamp = (T0 + 120) * 1000
    s.start_time = T0 * 1000
    s.total_elapsed_time = 120.0
    s.total_timer_time = 110.0
    s.total_distance = 1000.0
    b.add(s)
    a = ActivityMessage()
    a.timestamp = (T0 + 120) * 1000
    a.local_timestamp = T0 + 120 + offset - 631065600
    b.add(a)
    data: bytes = b.build().to_bytes()
    return data


def test_fit_facts_and_local_offset() -> None:
    facts = read_activity_file("activities/1.fit", fit_file())
    assert facts.kind == "fit"
    assert facts.start == START
    assert (facts.elapsed_time, facts.moving_time, facts.distance_m) == (120.0, 110.0, 1000.0)
    assert facts.start_latlng is not None and facts.start_latlng[0] == pytest.approx(48.0)
    assert facts.end_latlng is not None and facts.end_latlng[0] == pytest.approx(48.02)
    assert facts.has_heartrate
    assert facts.utc_offset == -5 * 3600


def test_gzipped_gpx_and_tcx() -> None:
    gpx = read_activity_file("activities/2.gpx.gz", gzip.compress(GPX))
    assert (gpx.kind, gpx.start, gpx.elapsed_time) == ("gpx", START, 600.0)
    assert gpx.start_latlng == (48.0, 2.0)
    assert gpx.distance_m == pytest.approx(1114, abs=10)
    assert gpx.elevation_gain == pytest.approx(50.0)
    tcx = read_activity_file("activities/3.tcx", TCX)
    assert (tcx.start, tcx.elapsed_time, tcx.distance_m) == (START, 900.0, 3000.0)
    assert tcx.has_heartrate and tcx.start_latlng == (48.0, 2.0)


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("a.fit", fit_file()[:40] + b"\x00" * 10, "corrupt FIT file"),
        ("a.fit", b"not a fit file at all", "corrupt FIT file"),
        ("a.fit.gz", b"\x1f\x8b garbage", "corrupt gzip data"),
        ("a.gpx", b"<gpx><trk>", "corrupt GPX file"),
        ("a.gpx", GPX.replace(b"<trkpt", b"<nopt").replace(b"</trkpt>", b"</nopt>"), "no track"),
        ("a.tcx", b"<TrainingCenterDatabase", "corrupt TCX file"),
        ("a.tcx", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', "DOCTYPE"),
        ("a.pdf", b"%PDF", "unsupported file type"),
    ],
)
def test_unreadable_files_raise_one_clear_error(name: str, data: bytes, needle: str) -> None:
    with pytest.raises(ActivityFileError) as info:
        read_activity_file(name, data)
    assert needle in info.value.reason


def test_a_flipped_byte_is_a_defect_not_a_refusal() -> None:
    data = bytearray(fit_file())
    data[len(data) // 2] ^= 0xFF
    facts = read_activity_file("a.fit", bytes(data))
    assert facts.defect is not None
    assert facts.start is not None


def row(**kw: object) -> CsvActivity:
    base: dict[str, object] = dict(
        line=2, id=9, start=START, name="Evening", activity_type="Virtual Ride",
        date_text="", filename="activities/9.fit", elapsed_time=3600.0, moving_time=None,
        distance_m=None,
        elevation_gain=None, max_speed=None, average_speed=None, average_heartrate=None,
        max_heartrate=None, average_watts=None, average_cadence=None, calories=None,
        commute=None,
    )  # fmt: skip
    base.update(kw)
    return CsvActivity(**base)  # type: ignore[arg-type]


def test_build_summary_prefers_csv_and_file_offset() -> None:
    facts = FileFacts(kind="fit", distance_m=1000.0, moving_time=3000.0, utc_offset=-18000,
                      start_latlng=(48.0, 2.0))  # fmt: skip
    s = build_summary(7, row(), facts, ZoneInfo("Europe/Paris"))
    assert s["sport_type"] == "VirtualRide"
    assert s["athlete"] == {"id": 7}
    assert s["distance"] == 1000.0  # CSV empty: from the file
    assert (s["elapsed_time"], s["moving_time"]) == (3600, 3000)
    assert s["start_date"] == "2026-01-02T04:30:00Z"
    # the file's offset wins over the zone: 23:30 the previous local day
    assert s["start_date_local"] == "2026-01-01T23:30:00Z"
    assert s["utc_offset"] == -18000.0
    assert s["start_latlng"] == [48.0, 2.0]
    assert s["manual"] is False


def test_build_summary_zone_fallback_and_manual() -> None:
    s = build_summary(7, row(filename="", distance_m=5000.0), None, ZoneInfo("Europe/Paris"))
    assert s["start_date_local"] == "2026-01-02T05:30:00Z"
    assert s["timezone"] == "(GMT+01:00) Europe/Paris"
    assert s["manual"] is True
    bare = build_summary(7, row(filename=""), None, None)
    assert "start_date_local" not in bare and "utc_offset" not in bare
    assert sport_type("Weight Training") == "WeightTraining"
    assert sport_type("Brand New Sport") == "BrandNewSport"
