"""5,000 athletes: pages by id, status filter, search by name prefix or id; plans use an index."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Select, insert

from stravasync.store import Database
from stravasync.store.people import athlete_pages as pages
from stravasync.store.people.athlete_pages import AthleteQuery
from stravasync.store.people.athletes import search_key
from stravasync.store.schema import athletes
from tests.integration.web.conftest import START, admin_headers

FIRST = ("Ann", "Bob", "Cara", "Dan", "Émile")
N = 5000
BASE = 1000


def fill(db: Database) -> None:
    rows = []
    for i in range(N):
        first, last = FIRST[i % 5], f"Smith{i % 100}"
        rows.append(
            {
                "id": BASE + i,
                "firstname": first,
                "lastname": last,
                "name_key": search_key(f"{first} {last}"),
                "lastname_key": search_key(last),
                "status": "blocked" if i % 10 == 3 else "active",
                "scopes": "read",
                "profile_json": {"firstname": first, "lastname": last},
                "created_at": START,
                "updated_at": START,
            }
        )
    with db.transaction() as conn:
        conn.execute(insert(athletes), rows)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE athletes")
        else:
            conn.exec_driver_sql("ANALYZE")


def plan(conn: Connection, stmt: Select[Any]) -> str:
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET enable_seqscan = off")  # an index is used iff one fits
        lines = conn.exec_driver_sql("EXPLAIN " + sql.replace("%", "%%")).scalars().all()
        conn.exec_driver_sql("RESET enable_seqscan")
        return "\n".join(lines)
    return "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def assert_indexed(text: str) -> None:
    """The plan reads athletes through an index, never by a full scan."""
    assert not re.search(r"Seq Scan on athletes|SCAN athletes(?! USING)", text), text
    assert re.search(r"(ix|pk)_athletes|autoindex_athletes|PRIMARY KEY", text), text


def test_pages_filters_and_search_over_5000_athletes(db: Database) -> None:
    fill(db)
    with db.engine.connect() as conn:
        first = pages.page(conn, AthleteQuery(), after_id=None, limit=50)
        assert [a.athlete_id for a in first.items] == list(range(BASE, BASE + 50))
        assert first.total == N and first.next_after_id == BASE + 49
        second = pages.page(conn, AthleteQuery(), after_id=first.next_after_id, limit=50)
        assert second.items[0].athlete_id == BASE + 50
        last = pages.page(conn, AthleteQuery(), after_id=BASE + N - 3, limit=50)
        assert [a.athlete_id for a in last.items] == [BASE + N - 2, BASE + N - 1]
        assert last.next_after_id is None

        blocked = pages.page(conn, AthleteQuery(status="blocked"), after_id=None, limit=1000)
        assert blocked.total == 500 and len(blocked.items) == 500
        assert all(a.status == "blocked" for a in blocked.items)
        assert all((a.athlete_id - BASE) % 10 == 3 for a in blocked.items)

        anns = pages.page(conn, AthleteQuery(search="ann"), after_id=None, limit=10)
        assert anns.total == 1000 and all(a.name.startswith("Ann ") for a in anns.items)
        accented = pages.page(conn, AthleteQuery(search="ÉMILE smith7"), after_id=None, limit=50)
        # Émile is i % 5 == 4; Smith7 and Smith70..79 (i % 100): i % 100 in {74} and {7x, x odd..}
        expected = sum(1 for i in range(N) if i % 5 == 4 and str(i % 100).startswith("7"))
        assert accented.total == expected > 0
        assert all(a.name.startswith("Émile Smith7") for a in accented.items)
        by_last = pages.page(conn, AthleteQuery(search="smith42"), after_id=None, limit=100)
        assert by_last.total == 50 and {a.name for a in by_last.items} == {"Cara Smith42"}
        by_id = pages.page(conn, AthleteQuery(search=str(BASE + 1234)), after_id=None, limit=10)
        assert [a.athlete_id for a in by_id.items] == [BASE + 1234] and by_id.total == 1
        both = pages.page(conn, AthleteQuery(status="active", search="dan"), after_id=None, limit=5)
        assert both.total == sum(1 for i in range(N) if i % 5 == 3 and i % 10 != 3)
        nobody = pages.page(conn, AthleteQuery(search="100%_"), after_id=None, limit=5)
        assert nobody.total == 0 and nobody.items == []

        dialect = conn.dialect.name
        for query in (
            AthleteQuery(search="ann smi"),
            AthleteQuery(search=str(BASE + 7)),
            AthleteQuery(status="blocked"),
        ):
            for stmt in (
                pages.page_select(query, dialect, after_id=BASE + 10, limit=51),
                pages.count_select(query, dialect),
            ):
                assert_indexed(plan(conn, stmt))
        assert_indexed(
            plan(conn, pages.page_select(AthleteQuery(), dialect, after_id=BASE, limit=51))
        )


def test_admin_api_pages_with_headers_and_refuses_bad_input(
    client: TestClient, db: Database
) -> None:
    fill(db)
    h = admin_headers()
    resp = client.get("/api/admin/athletes", params={"limit": 20, "status": "blocked"}, headers=h)
    assert resp.status_code == 200
    body = resp.json()
    assert len(body) == 20 and all(a["status"] == "blocked" for a in body)
    assert resp.headers["X-Total-Count"] == "500"
    nxt = int(resp.headers["X-Next-After-Id"])
    more = client.get(
        "/api/admin/athletes", params={"limit": 20, "status": "blocked", "after_id": nxt}, headers=h
    ).json()
    assert more[0]["athlete_id"] > nxt
    found = client.get("/api/admin/athletes", params={"q": "Bob Smith1"}, headers=h)
    assert found.status_code == 200 and found.json()[0]["name"].startswith("Bob Smith1")
    for bad in (
        {"limit": 0},
        {"limit": 1001},
        {"after_id": -1},
        {"status": "sleeping"},
        {"q": "x" * 129},
        {"q": "a\x00b"},
    ):
        refused = client.get("/api/admin/athletes", params=bad, headers=h)
        assert refused.status_code == 422, (bad, refused.text)
    assert client.get("/api/admin/athletes", params={"limit": 1}, headers=h).headers[
        "X-Total-Count"
    ] == str(N)  # nothing lost
