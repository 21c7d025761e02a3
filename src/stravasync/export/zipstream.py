"""A zip archive written as a stream of byte chunks, entry by entry (Python's zipfile).

:class:`zipfile.ZipFile` writes to an unseekable target (sizes go in data descriptors, as
streaming zip writers do) and here that target is a small buffer drained after every part
written: at most about one chunk plus one part is held, whatever the archive's size. What
stays in memory per entry is zipfile's central-directory record (a few hundred bytes).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

CHUNK = 64 * 1024


class _Drain:
    """A write-only file whose bytes are taken away by the reader (no tell, no seek)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of the archive: its name, its content as parts, and how to store it."""

    name: str
    parts: Iterable[bytes]
    compress: bool = True
    large: bool = False  # may pass 2 GiB: written with zip64 sizes


def zip_chunks(entries: Iterable[Entry], when: datetime, chunk: int = CHUNK) -> Iterator[bytes]:
    """The archive of ``entries`` (each dated ``when``), as chunks of about ``chunk`` bytes."""
    drain = _Drain()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(drain, "w") as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if entry.compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=entry.large) as out:
                for part in entry.parts:
                    out.write(part)
                    if drain.size >= chunk:
                        yield drain.take()
        # the central directory is written on close (below)
    tail = drain.take()
    if tail:
        yield tail
