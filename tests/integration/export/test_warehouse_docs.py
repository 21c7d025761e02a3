"""docs/warehouse.md: every table and view of a real warehouse is listed, every example runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stravasync.export.query import run_query
from stravasync.export.warehouse import refresh_warehouse
from stravasync.store import Database
from tests.integration.export.seed import seed_mirror

DOC = Path(__file__).resolve().parents[3] / "docs" / "warehouse.md"
SECTION = re.compile(r"^### (\w+)\n(.*?)(?=^### |\Z)", re.S | re.M)
SQL = re.compile(r"```sql\n(.*?)```", re.S)


def sections() -> dict[str, list[str]]:
    return {name: SQL.findall(body) for name, body in SECTION.findall(DOC.read_text())}


@pytest.fixture
def warehouse(db: Database, tmp_path: Path) -> Path:
    seed_mirror(db)
    path = tmp_path / "w.duckdb"
    with db.engine.connect() as conn:
        refresh_warehouse(conn, path)
    return path


def test_every_object_of_the_warehouse_is_documented(warehouse: Path) -> None:
    objects = run_query(
        warehouse, "SELECT table_name FROM information_schema.tables ORDER BY table_name"
    ).rows
    assert {str(r[0]) for r in objects} == set(sections())
    assert len(objects) == 16


@pytest.mark.parametrize("name", sorted(sections()))
def test_each_example_runs_and_returns_rows(warehouse: Path, name: str) -> None:
    examples = sections()[name]
    assert len(examples) == 1, name
    result = run_query(warehouse, examples[0])
    assert result.rows, f"{name}: the example returned nothing"
    assert f"FROM {name}" in examples[0] or f"JOIN {name}" in examples[0]
