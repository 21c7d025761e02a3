"""The streamed zip writer: bounded chunks, a valid archive, zip64 where asked."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime

from stravasync.export.zipstream import Entry, zip_chunks

WHEN = datetime(2026, 4, 1, 12, 30, 15, tzinfo=UTC)


def _parts(n: int, size: int) -> Iterator[bytes]:
    for i in range(n):
        yield bytes([i % 251]) * size


def test_chunks_stay_near_the_chunk_size_and_the_archive_opens() -> None:
    entries = [
        Entry("big.bin", _parts(200, 10_000), compress=False, large=True),
        Entry("text.jsonl", (f'{{"n":{i}}}\n'.encode() for i in range(5000))),
        Entry("empty.txt", []),
    ]
    chunks = list(zip_chunks(entries, WHEN, chunk=16 * 1024))
    assert len(chunks) > 100
    assert max(len(c) for c in chunks) <= 16 * 1024 + 10_000  # one chunk plus one part
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    assert archive.read("big.bin") == b"".join(_parts(200, 10_000))
    assert archive.read("text.jsonl").count(b"\n") == 5000
    assert archive.read("empty.txt") == b""
    info = archive.getinfo("text.jsonl")
    assert info.compress_type == zipfile.ZIP_DEFLATED and info.date_time == (2026, 4, 1, 12, 30, 14)
    assert archive.getinfo("big.bin").compress_type == zipfile.ZIP_STORED


def test_an_empty_archive_is_still_a_zip() -> None:
    data = b"".join(zip_chunks([], WHEN))
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == []
