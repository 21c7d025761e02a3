"""Whether streams are fetched: the setting against the deployment's size, and per activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stravasync.config import Settings
from stravasync.sync.planning.streams_policy import (
    StreamsMode,
    max_auto_athletes,
    streams_due,
    streams_enabled,
)

T = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_on_and_off_ignore_the_size() -> None:
    for athletes in (0, 1, 10_000):
        assert streams_enabled(StreamsMode.ON, athletes=athletes, read_daily=1000)
        assert not streams_enabled(StreamsMode.OFF, athletes=athletes, read_daily=None)


def test_auto_is_on_for_a_few_athletes_and_off_for_a_club_on_the_standard_quota() -> None:
    limit = max_auto_athletes(1000)
    assert limit is not None and 1 <= limit < 200
    assert streams_enabled(StreamsMode.AUTO, athletes=1, read_daily=1000)
    assert streams_enabled(StreamsMode.AUTO, athletes=limit, read_daily=1000)
    assert not streams_enabled(StreamsMode.AUTO, athletes=limit + 1, read_daily=1000)
    assert not streams_enabled(StreamsMode.AUTO, athletes=200, read_daily=1000)


def test_auto_grows_with_the_daily_limit_and_is_on_without_one() -> None:
    standard, extended = max_auto_athletes(1000), max_auto_athletes(30_000)
    assert standard is not None and extended is not None and extended >= 29 * standard
    assert streams_enabled(StreamsMode.AUTO, athletes=200, read_daily=30_000)
    assert streams_enabled(StreamsMode.AUTO, athletes=10**6, read_daily=None)


def test_streams_are_fetched_once_unless_forced() -> None:
    assert streams_due(True, stored_at=None, forced_since=None)
    assert not streams_due(True, stored_at=T, forced_since=None)  # a detail re-fetch: not again
    assert streams_due(True, stored_at=T, forced_since=T + timedelta(seconds=1))
    assert not streams_due(True, stored_at=T, forced_since=T)  # fetched by this request
    assert not streams_due(False, stored_at=None, forced_since=None)


@pytest.mark.parametrize(
    ("given", "mode"),
    [("auto", "auto"), ("on", "on"), ("OFF", "off"), ("true", "on"), ("false", "off"),
     (True, "on"), (False, "off"), ("1", "on")],
)  # fmt: skip
def test_the_setting_reads_modes_and_the_former_booleans(given: object, mode: str) -> None:
    assert Settings(sync_enrich_streams=given).sync_enrich_streams == mode  # type: ignore[arg-type]


def test_the_setting_refuses_anything_else() -> None:
    with pytest.raises(ValueError, match="auto, on, off"):
        Settings(sync_enrich_streams="sometimes")


def test_the_default_is_auto() -> None:
    assert Settings().sync_enrich_streams == "auto"
