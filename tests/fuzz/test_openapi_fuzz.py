"""Property-based fuzz of the whole OpenAPI document (schemathesis) through real HTTP against a
real server on a populated store: no answer is a 5xx, every answer matches its documented
status, content type and schema. Valid and invalid inputs alike (positive and negative modes),
with the right token for each route (admin, API key, cron secret).

``STRAVASYNC_FUZZ_EXAMPLES`` (per operation and mode; ``make test`` keeps it small) and
``STRAVASYNC_FUZZ_BACKEND=postgres`` (``make fuzz``) set how long and where it runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode
from sqlalchemy import create_engine

from stravasync.clock import RealClock
from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.web.app import create_app
from stravasync.web.operator import logs as admin_logs
from tests.conftest import PostgresFactory, _need_pg
from tests.integration.web.conftest import sqlite_copy
from tests.integration.web.hostile import headers_for, live_app, populate

EXAMPLES = int(os.environ.get("STRAVASYNC_FUZZ_EXAMPLES", "12"))
BACKEND = os.environ.get("STRAVASYNC_FUZZ_BACKEND", "sqlite")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """Every (method, path) of the document, read from the app without a database; negative
    mode only where there is an input to get wrong."""
    url = "sqlite://"
    app = create_app(load_settings(database_url=url), Database(create_engine(url)))
    out = []
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            out.append((method.upper(), path, GenerationMode.POSITIVE))
            if op.get("parameters") or op.get("requestBody"):
                out.append((method.upper(), path, GenerationMode.NEGATIVE))
    return out


CASES = _cases()
pytestmark = pytest.mark.fuzz


@pytest.fixture(scope="module")
def api_schema(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    pg_factory: PostgresFactory | None,
) -> Iterator[Any]:
    mp = pytest.MonkeyPatch()
    mp.setattr(admin_logs, "STREAM_SECONDS", 0.5)  # a followed log stream ends quickly
    if BACKEND == "postgres":
        url = _need_pg(pg_factory).new_database()
    else:
        url = sqlite_copy(tmp_path_factory.mktemp("fuzz"), sqlite_template)
    db = Database.open(url, upgrade=False)
    populate(db)
    try:
        # a configured engine (the cron route runs real bursts) whose Strava is a closed port
        with live_app(
            db,
            url,
            clock=RealClock(),
            client_id="4711",
            client_secret="fuzz-app-secret",
            strava_base_url="http://127.0.0.1:9",
            key_file=tmp_path_factory.mktemp("key") / "secret.key",
        ) as base:
            yield schemathesis.openapi.from_url(base + "/openapi.json")
    finally:
        db.close()
        mp.undo()


@pytest.mark.parametrize(
    ("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES]
)
def test_openapi_fuzz(api_schema: Any, method: str, path: str, mode: GenerationMode) -> None:
    operation = api_schema[path][method]
    headers = headers_for(path)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def one(case: Any) -> None:
        response = case.call(headers=headers, timeout=30)
        case.validate_response(response, checks=CHECKS, headers=headers)

    one()
