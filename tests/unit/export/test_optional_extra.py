"""Without pyarrow/duckdb the exports say exactly what to install (import made to fail)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stravasync.export.errors import EXPORT_EXTRA_HINT, MissingExtra
from stravasync.export.parquet import export_parquet
from stravasync.export.query import run_query


def test_missing_pyarrow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingExtra) as info:
        export_parquet(None, tmp_path)  # type: ignore[arg-type]  # fails before any query
    assert info.value.package == "pyarrow"
    assert str(info.value) == (
        "the Parquet export needs the optional package 'pyarrow', which is not installed; "
        'install the export extra: pip install "stravasync[export]"'
    )
    assert not any(tmp_path.iterdir())


def test_missing_duckdb(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(MissingExtra) as info:
        run_query(tmp_path / "w.duckdb", "SELECT 1")
    assert info.value.package == "duckdb"
    assert EXPORT_EXTRA_HINT in str(info.value)
