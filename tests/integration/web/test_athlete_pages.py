"""The athlete's pages over real HTTP, on SQLite and PostgreSQL: the activity list's filters and
keyset pages, one activity's numbers, laps, splits, best efforts, gear and route, the heatmap's
routes, the charts' data and text alternatives, and the optional tile origin in the CSP."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.fernet import Fernet

from stravasync.store import Database
from stravasync.store import me as me_q
from stravasync.web.app import create_app
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.athlete_seed import B_MARK, Seeded, route, seed
from tests.integration.web.conftest import make_settings

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


@pytest.fixture
def site(db: Database, db_url: str) -> Iterator[tuple[httpx.Client, Seeded]]:
    seeded = seed(db, datetime.now(UTC).replace(microsecond=0), count=70)
    settings = make_settings(db_url, secret_key=Fernet.generate_key().decode(), map_tile_url=TILES)
    cookies = {"stravasync_me": seeded.a_secret}
    with (
        serve_in_thread(create_app(settings, db)) as base,
        httpx.Client(base_url=base, cookies=cookies) as client,
    ):
        yield client, seeded


def ids_on(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/me/activities/(\d+)"', page)]


def test_the_list_pages_by_start_filters_and_searches(site: tuple[httpx.Client, Seeded]) -> None:
    client, seeded = site
    seen: list[int] = []
    url = "/me/activities"
    pages = 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += ids_on(page.text)
        pages += 1
        nxt = re.search(r'id="next" href="([^"]+)"', page.text)
        url = nxt[1].replace("&amp;", "&") if nxt else ""
    assert pages == 3 and seen == seeded.a_acts  # newest first, none twice, none lost

    first = client.get("/me/activities").text
    assert "&lt;img src=x onerror=alert(1)&gt; ride" in first and "<img src=x" not in first
    rides = ids_on(client.get("/me/activities", params={"sport": "Ride"}).text)
    assert rides == [a for i, a in enumerate(seeded.a_acts) if i % 3 == 0][:30]
    found = ids_on(client.get("/me/activities", params={"q": "100% EFFORT_"}).text)
    assert found == [seeded.a_acts[5]]  # wildcards taken literally, case ignored
    assert ids_on(client.get("/me/activities", params={"q": "%"}).text) == found
    dated = seeded.a_acts[3]  # started 10 days ago
    day = (datetime.now(UTC).date()).fromordinal(datetime.now(UTC).date().toordinal() - 10)
    one_day = client.get(
        "/me/activities", params={"start": day.isoformat(), "end": day.isoformat()}
    )
    assert ids_on(one_day.text) == [dated]
    # bounded inputs
    assert client.get("/me/activities", params={"q": "x" * 101}).status_code == 422
    assert client.get("/me/activities", params={"start": "1800-01-01"}).status_code == 422
    assert client.get("/me/activities", params={"after": "9" * 41}).status_code == 422
    # a browser is shown a page saying what was refused, with a way back; a script gets JSON
    page = client.get(
        "/me/activities", params={"start": "1800-01-01"}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "query.start" in page.text and 'href="/me"' in page.text and "{" not in page.text
    script = client.get("/me/activities", params={"start": "1800-01-01"})
    assert script.json()["error"] == "invalid" and "query.start" in script.json()["detail"]
    assert ids_on(client.get("/me/activities", params={"after": "nonsense"}).text)[:1] == [
        seeded.a_acts[0]
    ]  # a cursor that does not parse starts from the top


def test_an_activity_page_shows_its_numbers_laps_splits_efforts_gear_route(
    site: tuple[httpx.Client, Seeded],
) -> None:
    client, seeded = site
    resp = client.get(f"/me/activities/{seeded.a_acts[0]}")
    assert resp.status_code == 200
    page = resp.text
    assert "Moving time" in page and "Elevation gain" in page and "512 kcal" in page
    assert page.count("<tr><td>Lap ") == 2
    assert 'id="splits"' in page and page.count(" km/h</td>") >= 8  # a ride: speed
    assert "1k" in page and "PR 1" in page
    assert "Blue bike" in page and "(b111)" in page
    data = json.loads(re.search(r'id="route-data">(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    assert data == {"polyline": route(0), "tiles": TILES}
    csp = resp.headers["content-security-policy"]
    assert "img-src 'self' data: https://tiles.example.org;" in csp
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    # an activity without details: numbers and the summary route, and a word about the rest
    plain = client.get(f"/me/activities/{seeded.a_acts[10]}").text
    assert "appear once the activity" in plain and 'id="route-map"' in plain


def test_heatmap_and_charts_carry_their_data_for_the_scripts(
    site: tuple[httpx.Client, Seeded],
) -> None:
    client, _ = site
    heat = client.get("/me/heatmap").text
    data = json.loads(re.search(r'id="heat-data">(.*?)</script>', heat, re.S)[1])  # type: ignore[index]
    assert len(data["polylines"]) == 70 and data["polylines"][:2] == [route(0), route(1)]
    charts = client.get("/me/charts").text
    payload = json.loads(re.search(r'id="chart-data">(.*?)</script>', charts, re.S)[1])  # type: ignore[index]
    yearly = payload["series"]["yearly"]
    total_km = sum(sum(v) for v in yearly["series"]["distance"].values())
    assert 70 * 8 < total_km < 70 * 21  # 8-20 km each
    assert payload["units"] == {"distance": "km", "time": "h", "elevation": "m"}
    assert set(yearly["sports"]) == {"Ride", "Run"}
    # text alternatives: a table per chart, the Eddington number in km and miles, records
    for name in ("weekly", "monthly", "yearly"):
        assert f'id="table-{name}"' in charts and f'aria-describedby="{name}-desc"' in charts
    eddington = re.search(r'<table id="eddington">(.*?)</table>', charts, re.S)[1]  # type: ignore[index]
    assert eddington.count("<tr>") == 7  # header + 3 groups x 2 units
    assert "miles" in eddington and "km" in eddington and "more days of" in eddington
    assert 'id="records"' in charts and "Longest" in charts


def test_download_my_data_streams_my_zip_only(
    site: tuple[httpx.Client, Seeded], db: Database
) -> None:
    client, seeded = site
    with client.stream("GET", "/me/download") as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "application/zip"
        assert "transfer-encoding" in resp.headers  # streamed: no length known up front
        disposition = resp.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="stravasync-1001-')
        data = b"".join(resp.iter_bytes())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        lines = archive.read("activities.jsonl").decode().splitlines()
        ids = sorted(json.loads(line)["id"] for line in lines)
        assert ids == sorted(seeded.a_acts)
        assert len(archive.read("activities.csv").decode().splitlines()) == 71  # + header
        assert len(archive.read("details.jsonl").decode().splitlines()) == 3
        assert len([n for n in archive.namelist() if n.startswith("gpx/")]) == 70
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert B_MARK.encode() not in everything
    again = client.get("/me/download")
    assert again.status_code == 429 and int(again.headers["retry-after"]) <= 60
    with db.engine.connect() as conn:
        assert [a for a, _ in me_q.recent_actions(conn, 1001)] == ["download"]
