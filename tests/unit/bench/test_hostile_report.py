"""The hostile section of REPORT.md: every case's figures, before beside after."""

from __future__ import annotations

from bench.report import HOSTILE_ROWS, hostile


def test_each_figure_is_a_row_with_before_and_after() -> None:
    before = {"commit": "aaa", "flood": {"reads_spent": 301}, "slow": {"availability": 0.0}}
    after = {"commit": "bbb", "flood": {"reads_spent": 12}, "slow": {"availability": 1.0}}
    text = "\n".join(hostile(after, before))
    assert "| reads_spent | 301 | 12 |" in text
    assert "| availability | 0.0 | 1.0 |" in text
    assert "After: commit bbb. Before: commit aaa." in text
    assert "### skew" not in text  # no figure of that case on either side
    assert all(f"| {row} |" in text for row in HOSTILE_ROWS["flood"])


def test_without_a_before_the_before_column_is_a_dash() -> None:
    text = "\n".join(hostile({"skew": {"sessions_lost_while_skewed": 0}}, None))
    assert "| sessions_lost_while_skewed | - | 0 |" in text
    assert "Before: commit not measured." in text
