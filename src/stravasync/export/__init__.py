"""stravasync.export: the mirror as JSON Lines, CSV, partitioned Parquet and a DuckDB warehouse,
an activity's track as GPX or TCX, and an athlete's whole data as one streamed zip.

Every format streams from the store in keyset pages (memory stays flat at any size) and writes
atomically. pyarrow and duckdb are optional (``pip install "stravasync[export]"``).
"""

from stravasync.export.athlete_zip import athlete_zip_name, iter_athlete_zip
from stravasync.export.tracks.trackfiles import TrackFile, track_file

__all__ = ["TrackFile", "athlete_zip_name", "iter_athlete_zip", "track_file"]
