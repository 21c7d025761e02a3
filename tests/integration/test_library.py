"""The library API (stravasync.Mirror): docs/library.md's example runs as written, reads are
bounded, and `import stravasync` loads none of the heavy dependencies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import stravasync
from stravasync.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "library.md"


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}


def test_the_documented_example_runs(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert blocks, "docs/library.md has no python block"
    example = blocks[-1]
    assert "from stravasync import Mirror" in example
    done = subprocess.run(
        [sys.executable, "-c", example],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    synced = re.fullmatch(r"synced (\d+) units with (\d+) requests", lines[0])
    assert synced is not None and int(synced[1]) >= 1 and int(synced[2]) >= 1
    count = next(line for line in lines if line.startswith("activities: "))
    assert int(count.split(": ")[1]) > 0
    assert any(line.startswith("Eddington (km): ") for line in lines)
    assert any(line.startswith(("bike ", "shoe ")) for line in lines)  # mirror.gear()
    assert not (tmp_path / "data").exists()  # everything went where the example said


def test_import_stravasync_is_cheap() -> None:
    code = (
        "import sys, stravasync; "
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'httpx', 'alembic', 'stravasync.library') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""
    assert "Mirror" in stravasync.__all__


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Mirrors'"):
        _ = stravasync.Mirrors  # type: ignore[attr-defined]


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for key in list(os.environ):
        if key.startswith("STRAVASYNC_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    with stravasync.Mirror.open(
        f"sqlite:///{tmp_path / 'm.db'}", key_file=tmp_path / "secret.key"
    ) as opened:
        yield opened


def test_reading_needs_no_strava_application(mirror: stravasync.Mirror) -> None:
    assert mirror.athletes() == []
    assert mirror.activities(42) == []
    assert mirror.stats(42)["activity_count"] == 0


def test_sync_without_an_application_says_what_is_missing(mirror: stravasync.Mirror) -> None:
    with pytest.raises(ConfigError) as info:
        mirror.sync()
    assert info.value.variable == "STRAVASYNC_CLIENT_ID"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": datetime(2026, 1, 1)}, "since must be timezone-aware"),
        ({"until": datetime(2026, 1, 1)}, "until must be timezone-aware"),
        ({"limit": 0}, "limit must be between 1 and 1000"),
        ({"limit": 1001}, "limit must be between 1 and 1000"),
    ],
)
def test_bad_read_arguments_are_refused(
    mirror: stravasync.Mirror, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        mirror.activities(1, **kwargs)  # type: ignore[arg-type]


def test_bad_settings_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        stravasync.Mirror.open("mysql://nope")
    assert info.value.variable == "STRAVASYNC_DATABASE_URL"
    with pytest.raises(ConfigError) as info:
        stravasync.Mirror.open(f"sqlite:///{tmp_path / 'x.db'}", sync_active_hours=0)
    assert info.value.variable == "STRAVASYNC_SYNC_ACTIVE_HOURS"


def test_dates_bound_the_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stravasync.store.mirror import activities as acts

    monkeypatch.chdir(tmp_path)
    with stravasync.Mirror.open(
        f"sqlite:///{tmp_path / 'm.db'}", key_file=tmp_path / "k"
    ) as mirror:
        now = datetime(2026, 5, 1, tzinfo=UTC)
        raws = [
            {
                "id": 100 + day,
                "athlete": {"id": 7},
                "name": f"run {day}",
                "sport_type": "Run",
                "type": "Run",
                "start_date": f"2026-04-{day:02d}T07:00:00Z",
                "distance": 1000.0 * day,
                "moving_time": 600,
                "elapsed_time": 660,
                "total_elevation_gain": 5.0,
                "private": day == 3,
            }
            for day in (1, 2, 3)
        ]
        with mirror._db.transaction() as conn:
            acts.apply_summaries(conn, 7, raws, now)
        picked = mirror.activities(
            7, since=datetime(2026, 4, 2, tzinfo=UTC), until=datetime(2026, 4, 3, 12, tzinfo=UTC)
        )
        assert [(a.id, a.name, a.distance, a.private) for a in picked] == [
            (103, "run 3", 3000.0, True),
            (102, "run 2", 2000.0, False),
        ]
        assert picked[0].raw["id"] == 103
        assert [a.id for a in mirror.activities(7, limit=1)] == [103]


def test_gear_and_the_gear_name_of_activities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stravasync.store.mirror import activities as acts
    from stravasync.store.mirror import gear as gear_q

    monkeypatch.chdir(tmp_path)
    with stravasync.Mirror.open(
        f"sqlite:///{tmp_path / 'm.db'}", key_file=tmp_path / "k"
    ) as mirror:
        now = datetime(2026, 5, 1, tzinfo=UTC)
        raw = {
            "id": 5,
            "athlete": {"id": 7},
            "name": "ride",
            "sport_type": "Ride",
            "start_date": "2026-04-01T07:00:00Z",
            "gear_id": "b3",
        }
        with mirror._db.transaction() as conn:
            acts.apply_summaries(conn, 7, [raw, {**raw, "id": 6, "gear_id": "b4"}], now)
            gear_q.store_listed(conn, 7, [{"id": "b3", "name": "Steel", "primary": True}], [], now)
        gear = mirror.gear(7)
        assert [(g.id, g.kind, g.name, g.is_primary, g.retired) for g in gear] == [
            ("b3", "bike", "Steel", True, False)
        ]
        assert isinstance(gear[0], stravasync.Gear)
        named = {a.id: (a.gear_id, a.gear_name) for a in mirror.activities(7)}
        assert named == {5: ("b3", "Steel"), 6: ("b4", None)}
        assert mirror.gear(8) == []
