"""stravasync.export: the mirror as JSON Lines, CSV, partitioned Parquet and a DuckDB warehouse.

Every format streams from the store in keyset pages (memory stays flat at any size) and writes
atomically. pyarrow and duckdb are optional (``pip install "stravasync[export]"``).
"""
