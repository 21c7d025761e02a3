"""Names at connect: `stravasync auth` against the simulator stores the profile; status shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from stravasync.cli import app
from stravasync.simulator import SimConfig, Simulator
from stravasync.store import Database
from stravasync.store.schema import athletes
from tests.integration.strava.multiproc import Server
from tests.integration.strava.test_auth_cli import env


def test_cli_auth_stores_the_profile_and_status_shows_the_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sim = Simulator(SimConfig(seed=9, athletes=2, history_days=5))
    athlete = sim.athlete_ids()[1]
    person = sim.world.profile(athlete)
    with Server(sim.app) as base_url:
        db_file = env(monkeypatch, tmp_path, base_url, sim)
        code = sim.grant(athlete, "read,activity:read_all")
        result = CliRunner().invoke(
            app, ["auth", "--code", code, "--scope", "read,activity:read_all"]
        )
        assert result.exit_code == 0, result.output
        monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: the table folds nothing
        status = CliRunner().invoke(app, ["status"])
        as_json = CliRunner().invoke(app, ["status", "--json"])
    assert status.exit_code == 0, status.output
    name = f"{person.firstname} {person.lastname}"
    assert name in status.output
    assert [a["name"] for a in json.loads(as_json.output)] == [name]
    db = Database.open(f"sqlite:///{db_file}", upgrade=False)
    with db.engine.connect() as conn:
        row = conn.execute(select(athletes)).mappings().one()
    db.close()
    assert row["firstname"] == person.firstname and row["lastname"] == person.lastname
    assert row["profile_json"]["profile_medium"].endswith("/medium.jpg")
    assert not any("token" in k for k in row["profile_json"])
