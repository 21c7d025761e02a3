"""FIT files read leniently, on real files: what decodes before a defect is used, the defect is
named; a file where nothing useful decodes is still refused."""

from __future__ import annotations

import gzip
import struct
from datetime import UTC, datetime

import pytest
from fitdecode.utils import compute_crc

from stravasync.archive.errors import ActivityFileError
from stravasync.archive.files import read_activity_file
from tests.archive_material import read

RUN = read("garmin-fenix-5-run.fit")


def test_an_intact_real_file_has_no_defect() -> None:
    facts = read_activity_file("a.fit", RUN)
    assert facts.defect is None
    assert facts.start == datetime(2017, 6, 11, 14, 34, 9, tzinfo=UTC)
    assert facts.distance_m == pytest.approx(157.56)
    assert facts.utc_offset == -7 * 3600


def test_strava_android_file_with_an_undefined_local_message() -> None:
    facts = read_activity_file("a.fit", read("strava-android-app-201.10-b1218918.fit"))
    assert facts.defect is not None and "local message 11 not defined" in facts.defect
    assert facts.start == datetime(2021, 9, 27, 14, 13, 10, tzinfo=UTC)
    assert facts.distance_m == pytest.approx(11274.04)
    assert facts.start_latlng == pytest.approx((44.047568, -121.312889))


def test_a_real_file_without_its_final_checksum() -> None:
    facts = read_activity_file("a.fit", read("activity-unexpected-eof.fit"))
    assert facts.defect is not None and "ends early" in facts.defect
    assert facts.start == datetime(2012, 4, 9, 21, 22, 26, tzinfo=UTC)


@pytest.mark.parametrize("keep", [len(RUN) - 2, len(RUN) - 40, len(RUN) // 2])
def test_a_truncated_recording_keeps_its_start(keep: int) -> None:
    facts = read_activity_file("a.fit", RUN[:keep])
    assert facts.defect is not None and "ends early" in facts.defect
    assert facts.start == datetime(2017, 6, 11, 14, 34, 9, tzinfo=UTC)
    assert facts.start_latlng == pytest.approx((38.229787, -122.633704))


def test_a_record_written_after_the_file_end() -> None:
    # the last 40 bytes before the checksum: record messages, appended again after the end
    facts = read_activity_file("a.fit", RUN + RUN[-42:-2])
    assert facts.defect is not None and "after the FIT file's end" in facts.defect
    assert facts.distance_m == pytest.approx(157.56)  # the session was read whole


def record_after_session(fix_checksum: bool) -> bytes:
    """The real run with its last record (local type 13, 42 bytes at 3475) repeated after the
    session message (which ends at 5448), the header's data size updated."""
    body = RUN[14:-2]
    body = body[: 5448 - 14] + RUN[3475 : 3475 + 42] + body[5448 - 14 :]
    header = bytearray(RUN[:14])
    struct.pack_into("<I", header, 4, len(body))
    struct.pack_into("<H", header, 12, compute_crc(bytes(header[:12])))
    data = bytes(header) + body
    return data + (struct.pack("<H", compute_crc(data)) if fix_checksum else RUN[-2:])


def test_a_record_after_the_session() -> None:
    facts = read_activity_file("a.fit", record_after_session(fix_checksum=True))
    assert facts.defect is None  # legal FIT: read whole
    assert facts.distance_m == pytest.approx(157.56)
    stale = read_activity_file("a.fit", record_after_session(fix_checksum=False))
    assert stale.defect is not None and "checksum mismatch" in stale.defect
    assert stale.distance_m == pytest.approx(157.56)
    assert stale.start == datetime(2017, 6, 11, 14, 34, 9, tzinfo=UTC)


def test_a_gzipped_defective_file() -> None:
    data = gzip.compress(read("strava-android-app-201.10-b1218918.fit"))
    facts = read_activity_file("a.fit.gz", data)
    assert facts.defect is not None and facts.start is not None


@pytest.mark.parametrize("keep", [12, 30, 200])
def test_nothing_useful_before_the_defect_is_still_refused(keep: int) -> None:
    with pytest.raises(ActivityFileError) as info:
        read_activity_file("a.fit", RUN[:keep])
    assert "FIT" in info.value.reason


def test_real_gpx_and_tcx_files() -> None:
    gpx = read_activity_file("a.gpx", read("cerknicko-jezero.gpx"))
    assert gpx.start == datetime(2010, 8, 5, 14, 23, 59, tzinfo=UTC)
    assert gpx.start_latlng == pytest.approx((45.772175035, 14.357659249))
    tcx = read_activity_file("a.tcx", read("sup_activity_1.tcx"))
    assert tcx.start is not None and tcx.distance_m and tcx.distance_m > 0
