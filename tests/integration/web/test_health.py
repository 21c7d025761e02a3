"""Liveness, readiness (database at migration head) and the OpenAPI contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.web.app import create_app
from tests.integration.web.conftest import sqlite_copy


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Behaviour of the HTTP layer, not of storage: one backend is enough here."""
    return sqlite_copy(tmp_path, sqlite_template)


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_readyz_is_503_when_migrations_are_not_at_head(empty_db_url: str) -> None:
    db = Database.open(empty_db_url, upgrade=False)
    try:
        with TestClient(create_app(load_settings(database_url=empty_db_url), db)) as client:
            resp = client.get("/readyz")
            assert resp.status_code == 503
            assert resp.json()["status"] == "not_ready"
            assert client.get("/healthz").status_code == 200
    finally:
        db.close()


def test_openapi_documents_every_route_with_a_response_schema(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "WebhookEvent" in doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ok = next((r for code, r in op["responses"].items() if code in ("200", "202")), None)
            if path == "/admin/logout" or (path.startswith("/me/") and ok is None):
                assert "303" in op["responses"]  # a form's answer: back to a page
                continue
            assert ok is not None, (method, path)
            content = ok.get("content", {})
            if path in ("/metrics", "/api/admin/logs/stream") or "text/html" in content:
                continue
            if any(c.get("schema", {}).get("format") == "binary" for c in content.values()):
                continue  # a file download (an original device file) documents its bytes
            if content and "application/json" not in content:
                # a document of another type (GPX, TCX) documents its schema under that type
                assert all(c.get("schema") for c in content.values()), (method, path)
                continue
            schema = content.get("application/json", {}).get("schema")
            assert schema, (method, path)
            assert schema != {}, (method, path)
            if path.startswith("/api/"):
                assert "401" in op["responses"], (method, path)
    body = doc["paths"]["/webhooks/strava"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/WebhookEvent")
