"""``/metrics`` behind ``STRAVASYNC_METRICS_TOKEN``: Bearer token or 401 (a wrong one counted
like every other secret); without the setting it stays open, as documented."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from stravasync.clock import VirtualClock
from stravasync.store import Database
from stravasync.web.app import create_app
from tests.integration.web.conftest import make_settings

TOKEN = "metrics-scrape-token"


@pytest.fixture
def guarded(db: Database, db_url: str, clock: VirtualClock) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url, metrics_token=TOKEN), db, clock=clock)
    with TestClient(app) as c:
        yield c


def test_metrics_ask_for_the_token_when_it_is_set(guarded: TestClient) -> None:
    assert guarded.get("/metrics").status_code == 401
    wrong = guarded.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.headers["www-authenticate"]) == (401, "Bearer")
    ok = guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert 'stravasync_auth_refused_total{answer="wrong",realm="metrics"} 1.0' in ok.text
    assert guarded.get("/healthz").status_code == 200  # the probes stay open


def test_metrics_stay_open_without_the_setting(client: TestClient) -> None:
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert "stravasync_budget_used" in resp.text
