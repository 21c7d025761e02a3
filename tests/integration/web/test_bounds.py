"""Every id, date, text and list a request may carry is bounded: out of bounds is a 422 Problem
through real HTTP, and nothing stored changes (SQLite and PostgreSQL).

The routes come from the OpenAPI document, so a new route without a bound fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from stravasync.store import Database
from tests.integration.web.hostile import (
    BAD_IDS,
    INT64_MAX,
    assert_problem,
    headers_for,
    live_app,
    populate,
    snapshot,
)

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/admin/athletes/{athlete_id}/sync"): {"mode": "incremental"},
    ("put", "/api/activities/{activity_id}/annotations"): {"annotations": {"k": "v"}},
    ("patch", "/api/admin/athletes/{athlete_id}"): {"hidden": True},
}
"""A valid body for routes that need one, so only the parameter under test is wrong."""
FILL = {"kind": "job", "job": "prune_logs", "session_id": "s1"}


@pytest.fixture
def served(db: Database, db_url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    populate(db)
    with live_app(db, db_url) as base:
        yield base, httpx.get(base + "/openapi.json").json()


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield method, path, op


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def leaves(doc: dict[str, Any], schema: dict[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    """Every (location, sub-schema) of a schema, refs followed, alternatives expanded."""
    schema = resolve(doc, schema)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        for alt in alternatives:
            yield from leaves(doc, alt, where)
        return
    yield where, schema
    for name, sub in schema.get("properties", {}).items():
        yield from leaves(doc, sub, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from leaves(doc, schema["items"], f"{where}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from leaves(doc, schema["additionalProperties"], f"{where}{{}}")
    if isinstance(schema.get("propertyNames"), dict):
        yield from leaves(doc, schema["propertyNames"], f"{where}{{key}}")


def unbounded(where: str, schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    # numbers may come as floats: 2^63 is exact as a float, 2^63-1 is not
    top = min(int(schema.get("maximum", 2**64)), int(schema.get("exclusiveMaximum", 2**64)) - 1)
    if kind == "integer" and (top > INT64_MAX or "minimum" not in schema):
        return f"{where}: integer without minimum/maximum within int64"
    if kind == "array" and "maxItems" not in schema:
        return f"{where}: list without maxItems"
    if (
        kind == "string"
        and "maxLength" not in schema
        and "enum" not in schema
        and "const" not in schema
        and schema.get("format") != "date-time"
    ):
        return f"{where}: string without maxLength"
    if kind == "object" and schema.get("additionalProperties") and "maxProperties" not in schema:
        return f"{where}: mapping without maxProperties"
    return None


INPUT_OWNED_ELSEWHERE = {"/webhooks/strava": "updates"}
"""The webhook's free-form ``updates`` mapping is bounded by the body size cap (16 KiB)."""


def test_every_input_in_the_openapi_document_is_bounded(
    served: tuple[str, dict[str, Any]],
) -> None:
    _, doc = served
    problems = []
    for method, path, op in operations(doc):
        for param in op.get("parameters", []):
            for where, schema in leaves(doc, param["schema"], f"{method} {path} {param['name']}"):
                problems.append(unbounded(where, schema))
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            for where, schema in leaves(doc, body["schema"], f"{method} {path} body"):
                if INPUT_OWNED_ELSEWHERE.get(path) and where.endswith(INPUT_OWNED_ELSEWHERE[path]):
                    continue
                problems.append(unbounded(where, schema))
    missing = [p for p in problems if p]
    assert missing == [], "\n".join(missing)


def test_validation_errors_are_documented_as_problems(served: tuple[str, dict[str, Any]]) -> None:
    _, doc = served
    documented = 0
    for method, path, op in operations(doc):
        answer = op["responses"].get("422")
        if answer is not None:
            documented += 1
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path)
    assert documented >= 20
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def fill(path: str, **values: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m[1], FILL.get(m[1], "1")), path)


def id_params(op: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        p
        for p in op.get("parameters", [])
        if p["name"].endswith("_id") or p["name"] == "ident" or p["in"] == "path"
    ]


def test_ids_out_of_range_are_422_problems_and_change_nothing(
    db: Database, served: tuple[str, dict[str, Any]]
) -> None:
    base, doc = served
    before = snapshot(db)
    tried = 0
    with httpx.Client(base_url=base, timeout=30) as http:
        for method, path, op in operations(doc):
            for param in id_params(op):
                ints = [
                    s for _, s in leaves(doc, param["schema"], "") if s.get("type") == "integer"
                ]
                if not ints:
                    continue
                cursor = ints[0].get("minimum") == 0  # 0 starts a paging cursor
                for bad in BAD_IDS:
                    if cursor and bad == "0":
                        continue
                    if param["in"] == "path":
                        url, params = fill(path, **{param["name"]: bad}), {}
                    else:
                        url, params = fill(path), {param["name"]: bad}
                    resp = http.request(
                        method,
                        url,
                        params=params,
                        headers=headers_for(path),
                        json=BODIES.get((method, path)),
                    )
                    body = assert_problem(resp, 422)
                    assert body["error"] == "invalid"
                    assert param["name"] in body["detail"], body
                    tried += 1
    assert tried >= 17 * len(BAD_IDS)
    assert snapshot(db) == before


def test_the_largest_strava_id_is_a_plain_404(
    db: Database, served: tuple[str, dict[str, Any]]
) -> None:
    base, doc = served
    before = snapshot(db)
    with httpx.Client(base_url=base, timeout=30) as http:
        for method, path, op in operations(doc):
            ids = [p["name"] for p in id_params(op) if p["in"] == "path" and p["name"] != "kind"]
            if not ids or "{job}" in path or "{session_id}" in path:
                continue
            url = fill(path, **dict.fromkeys(ids, str(INT64_MAX)))
            resp = http.request(
                method, url, headers=headers_for(path), json=BODIES.get((method, path))
            )
            if path.startswith("/me/"):  # the athlete's pages: a page, the same as for others' ids
                assert resp.status_code == 404 and "Not found" in resp.text
                continue
            body = assert_problem(resp, 404)
            assert str(INT64_MAX) in body["detail"]
    assert snapshot(db) == before


LISTING_CASES = [
    ("since", "0001-01-01T00:00:00+14:00", "between 1900-01-01 and 2200-01-01"),
    ("until", "9999-12-31T23:59:59-14:00", "between 1900-01-01 and 2200-01-01"),
    ("since", "1899-12-31T23:59:59Z", "between"),
    ("until", "2200-01-01T00:00:01Z", "between"),
    ("since", "2026-03-01T00:00:00", "timezone"),
    ("until", "not a date", "until"),
    ("since", "2026-02-30T00:00:00Z", "since"),
    ("after_id", str(2**63), "after_id"),
    ("limit", "0", "limit"),
    ("limit", "201", "limit"),
    ("sport", "R" * 65, "sport"),
    ("sport", "Ride\x00", "NUL"),
]


def test_listing_queries_out_of_bounds_are_422(
    db: Database, served: tuple[str, dict[str, Any]]
) -> None:
    base, _ = served
    before = snapshot(db)
    for name, value, says in LISTING_CASES:
        resp = httpx.get(
            f"{base}/api/athletes/101/activities",
            params={name: value},
            headers=headers_for("/api/"),
        )
        assert says in assert_problem(resp, 422)["detail"], (name, value)
    assert snapshot(db) == before


def test_dates_inside_the_bounds_still_answer(served: tuple[str, dict[str, Any]]) -> None:
    base, _ = served
    resp = httpx.get(
        f"{base}/api/athletes/101/activities",
        params={"since": "1900-01-01T00:00:00Z", "until": "2200-01-01T00:00:00+00:00"},
        headers=headers_for("/api/"),
    )
    assert resp.status_code == 200
    assert len(resp.json()["items"]) == 50


SYNC = "/api/admin/athletes/101/sync"
NOTES = "/api/activities/5000/annotations"


BODY_CASES = [
    (SYNC, {"mode": "enrich", "options": {"activity_ids": [2**63]}}, "activity_ids"),
    (SYNC, {"mode": "enrich", "options": {"activity_ids": [2**70]}}, "activity_ids"),
    (SYNC, {"mode": "enrich", "options": {"activity_ids": [0]}}, "activity_ids"),
    (SYNC, {"mode": "enrich", "options": {"activity_ids": list(range(1, 1002))}}, "1000"),
    (SYNC, {"mode": "enrich", "options": {"activity_ids": []}}, "activity_ids"),
    (SYNC, {"mode": "enrich", "options": {"since_days": 1e308}}, "since_days"),
    (SYNC, {"mode": "enrich", "options": {"since_days": -1}}, "since_days"),
    (SYNC, {"mode": "enrich", "options": {"unknown": 1}}, "unknown"),
    (SYNC, {"mode": "everything"}, "mode"),
    (SYNC, [], "body"),
    (NOTES, {"annotations": {f"k{i}": "v" for i in range(101)}}, "annotations"),
    (NOTES, {"annotations": {"k" * 65: "v"}}, "annotations"),
    (NOTES, {"annotations": {"": "v"}}, "annotations"),
    (NOTES, {"annotations": {"k": "v" * 10_001}}, "annotations"),
    (NOTES, {"annotations": {"k": "a\x00b"}}, "NUL"),
    (NOTES, {"annotations": {"k": 5}}, "annotations"),
    (NOTES, {"annotations": None}, "annotations"),
]


def test_bodies_out_of_bounds_are_422_and_change_nothing(
    db: Database, served: tuple[str, dict[str, Any]]
) -> None:
    base, _ = served
    before = snapshot(db)
    for url, body, says in BODY_CASES:
        method = "POST" if url == SYNC else "PUT"
        resp = httpx.request(method, base + url, json=body, headers=headers_for(url))
        assert says in assert_problem(resp, 422)["detail"], (url, body)
    assert snapshot(db) == before


def test_a_malformed_json_body_is_a_422_problem(
    db: Database, served: tuple[str, dict[str, Any]]
) -> None:
    base, _ = served
    before = snapshot(db)
    resp = httpx.post(
        base + SYNC,
        content=b'{"mode": "enrich", "options": {"activity_ids": [1,',
        headers={**headers_for(SYNC), "Content-Type": "application/json"},
    )
    assert_problem(resp, 422)
    assert snapshot(db) == before


NAME_CASES = [
    ("/api/admin/scheduler/trigger/" + "j" * 129, "job"),
    ("/api/admin/scheduler/trigger/prune%00logs", "NUL"),
    ("/api/admin/sessions/" + "s" * 129 + "/logs", "session_id"),
    ("/api/admin/sessions/s%00/logs", "NUL"),
    ("/api/admin/dead-letters/everything/1/requeue", "kind"),
]


def test_names_in_paths_are_bounded(db: Database, served: tuple[str, dict[str, Any]]) -> None:
    base, _ = served
    before = snapshot(db)
    for path, says in NAME_CASES:
        method = "GET" if path.endswith("/logs") else "POST"
        resp = httpx.request(method, base + path, headers=headers_for(path))
        assert says in assert_problem(resp, 422)["detail"], path
    assert snapshot(db) == before


def test_nul_or_overlong_text_in_any_parameter_is_a_4xx_and_changes_nothing(
    db: Database, served: tuple[str, dict[str, Any]]
) -> None:
    """PostgreSQL cannot store NUL (``/connect?return_to=/a%00b`` was a 500 there)."""
    base, doc = served
    before = snapshot(db)
    tried = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for method, path, op in operations(doc):
            for param in op.get("parameters", []):
                kinds = {s.get("type") for _, s in leaves(doc, param["schema"], "")}
                if "string" not in kinds or param["name"] == "kind":
                    continue
                for bad in ("/a\x00b", "/" + "x" * 5000):
                    if param["in"] == "path":
                        url, params = fill(path, **{param["name"]: quote(bad, safe="")}), {}
                    else:
                        url, params = fill(path), {param["name"]: bad}
                    resp = http.request(
                        method,
                        url,
                        params=params,
                        headers=headers_for(path),
                        json=BODIES.get((method, path)),
                        follow_redirects=False,
                    )
                    assert 400 <= resp.status_code < 500, (method, url, params, resp.status_code)
                    if resp.headers["content-type"].startswith("application/json"):
                        assert_problem(resp, resp.status_code)
                    tried.append((method, path, param["name"]))
    assert ("get", "/connect", "return_to") in tried
    assert ("get", "/oauth/callback", "state") in tried
    assert snapshot(db) == before
