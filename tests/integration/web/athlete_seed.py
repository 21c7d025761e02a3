"""Two athletes with activities, details, routes and gear, and a session for each: what the
tests of the athlete's pages (``/me``) read. Athlete B's names carry a marker that must never
show on athlete A's pages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from stravasync.store import Database
from stravasync.store.mirror import activities as acts
from stravasync.store.people import athletes as athlete_q
from stravasync.store.people import me as me_q

A, B = 1001, 2002
B_MARK = "Bmarker"


def _encode(points: list[tuple[float, float]]) -> str:
    """Google's encoded polyline (precision 5), as Strava sends summary routes."""
    out: list[str] = []
    last = (0, 0)
    for lat, lng in points:
        now = (round(lat * 1e5), round(lng * 1e5))
        for delta in (now[0] - last[0], now[1] - last[1]):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        last = now
    return "".join(out)


def route(i: int) -> str:
    """Activity ``i``'s summary route: one of a few loops around a town, each a little off."""
    center_lat, center_lng = 47.37 + 0.004 * (i % 5), 8.54 + 0.006 * (i % 7)
    radius = 0.01 + 0.002 * (i % 4)
    points = [
        (
            center_lat + radius * math.sin(2 * math.pi * k / 40),
            center_lng + 1.5 * radius * math.cos(2 * math.pi * k / 40) * (1 + 0.2 * (k % 3)),
        )
        for k in range(41)
    ]
    return _encode(points)


@dataclass(frozen=True, slots=True)
class Seeded:
    a_acts: list[int]
    b_acts: list[int]
    a_secret: str
    b_secret: str
    csrf: str


def _raw(act_id: int, start: datetime, i: int, name: str, sport: str) -> dict[str, Any]:
    return {
        "id": act_id,
        "name": name,
        "sport_type": sport,
        "type": sport,
        "start_date": start.isoformat().replace("+00:00", "Z"),
        "start_date_local": start.replace(tzinfo=None).isoformat(),
        "distance": 8000.0 + 1500 * (i % 9),
        "moving_time": 1800 + 60 * (i % 30),
        "elapsed_time": 2000 + 60 * (i % 30),
        "total_elevation_gain": 40.0 + 15 * (i % 11),
        "gear_id": "b111" if sport == "Ride" else "g222",
        "map": {"summary_polyline": route(i)},
    }


def _detail(raw: dict[str, Any], gear_name: str) -> dict[str, Any]:
    line = raw["map"]["summary_polyline"]
    return raw | {
        "description": "felt good",
        "calories": 512.0,
        "gear": {"id": raw["gear_id"], "name": gear_name},
        "map": {"polyline": line, "summary_polyline": line},
        "laps": [
            {"name": "Lap 1", "distance": 4000.0, "moving_time": 900, "total_elevation_gain": 20},
            {"name": "Lap 2", "distance": 4000.0, "moving_time": 880, "total_elevation_gain": 21},
        ],
        "splits_metric": [
            {"split": k, "distance": 1000.0, "moving_time": 220 + k, "elevation_difference": 2}
            for k in range(1, 9)
        ],
        "best_efforts": [
            {"name": "1k", "moving_time": 215, "elapsed_time": 215, "pr_rank": 1},
            {"name": "5k", "moving_time": 1140, "elapsed_time": 1140, "pr_rank": None},
        ],
    }


def seed(db: Database, now: datetime, *, count: int = 70) -> Seeded:
    a_acts = [900_000_000 + i for i in range(count)]
    b_acts = [800_000_000 + i for i in range(5)]
    with db.transaction() as conn:
        for aid, first in ((A, "Ada"), (B, B_MARK)):
            athlete_q.upsert_athlete(
                conn,
                athlete_id=aid,
                profile={"firstname": first, "lastname": "Rider"},
                scopes="read,activity:read_all",
                now=now - timedelta(days=400),
            )
        a_raws = [
            _raw(
                act,
                now - timedelta(days=3 * i + 1),
                i,
                f"Morning {'Run' if i % 3 else 'Ride'} {i}",
                "Run" if i % 3 else "Ride",
            )
            for i, act in enumerate(a_acts)
        ]
        a_raws[5]["name"] = "100% effort_day"  # LIKE wildcards, searched literally
        a_raws[6]["name"] = "<img src=x onerror=alert(1)> ride"  # shown as text, never markup
        b_raws = [
            _raw(act, now - timedelta(days=2 * i + 1), i, f"{B_MARK} secret ride {i}", "Ride")
            for i, act in enumerate(b_acts)
        ]
        acts.apply_summaries(conn, A, a_raws, now)
        acts.apply_summaries(conn, B, b_raws, now)
        for raw in a_raws[:3]:
            gear = "Blue bike" if raw["sport_type"] == "Ride" else "Trail shoes"
            acts.store_detail(conn, raw["id"], _detail(raw, gear), now)
        for raw in b_raws:
            acts.store_detail(conn, raw["id"], _detail(raw, f"{B_MARK} bike"), now)
        csrf = "csrf-token-for-tests-0123456789"
        me_q.open_session(
            conn, "a-secret", athlete_id=A, csrf=csrf, now=now, expires_at=now + timedelta(days=1)
        )
        me_q.open_session(
            conn, "b-secret", athlete_id=B, csrf=csrf, now=now, expires_at=now + timedelta(days=1)
        )
    return Seeded(a_acts=a_acts, b_acts=b_acts, a_secret="a-secret", b_secret="b-secret", csrf=csrf)
