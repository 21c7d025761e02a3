"""Arrow schemas and batches from the table specs (pyarrow imported by the caller)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from stravasync.export.tables import Spec


def arrow_schema(pa: ModuleType, spec: Spec) -> Any:
    kinds = {
        "int": pa.int64(),
        "float": pa.float64(),
        "str": pa.string(),
        "bool": pa.bool_(),
        "ts": pa.timestamp("us", tz="UTC"),
        "local": pa.timestamp("us"),
    }
    return pa.schema([pa.field(name, kinds[kind]) for name, kind in spec])


def record_batch(pa: ModuleType, schema: Any, rows: list[dict[str, Any]]) -> Any:
    return pa.RecordBatch.from_pylist(rows, schema=schema)
