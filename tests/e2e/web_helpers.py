"""Helpers for tests that talk to the service over real HTTP: a uvicorn server in a thread and
a seeded database that gives the dashboard something to show."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import update

from stravasync.store import Database
from stravasync.store.mirror import activities as acts
from stravasync.store.pending import outbox
from stravasync.store.pending import sessions as session_q
from stravasync.store.people import athletes as athlete_q
from stravasync.store.schema import rate_budget, rate_history, scheduler_jobs, sync_state


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 on a free port; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, proxy_headers=False)
    server = uvicorn.Server(config)  # as `stravasync serve`: forwarded headers are web.edge's job
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def seed_demo(db: Database, now: datetime) -> None:
    """Three athletes (one dead-lettered), activities over 14 months, quota now and 24 h of
    history, a session with log lines, a dead notification and a periodic job."""
    with db.transaction() as conn:
        for aid, first in ((101, "Ada"), (102, "Grace"), (103, "Linus")):
            athlete_q.upsert_athlete(
                conn,
                athlete_id=aid,
                profile={"firstname": first, "lastname": "Tester"},
                scopes="read,activity:read_all",
                now=now - timedelta(days=30),
            )
        raws = []
        for i in range(60):
            start = now - timedelta(days=7 * i + 1)
            raws.append(
                {
                    "id": 5000 + i,
                    "name": f"Ride {i}",
                    "sport_type": "Ride" if i % 2 else "Run",
                    "type": "Ride",
                    "start_date": start.isoformat().replace("+00:00", "Z"),
                    "start_date_local": start.replace(tzinfo=None).isoformat(),
                    "distance": 10000.0 + 1000 * (i % 7),
                    "moving_time": 3600,
                    "elapsed_time": 3700,
                }
            )
        acts.apply_summaries(conn, 101, raws, now)
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == 101)
            .values(last_success_at=now - timedelta(minutes=12), backfill_done=True)
        )
        conn.execute(
            update(sync_state)
            .where(sync_state.c.athlete_id == 103)
            .values(dead=True, attempts=6, last_error="Strava answered 500 six times")
        )
        for lc, window, limit, used in (
            ("overall", "15min", 200, 120),
            ("overall", "daily", 2000, 900),
            ("read", "15min", 100, 95),
            ("read", "daily", 1000, 400),
        ):
            conn.execute(
                rate_budget.insert().values(
                    limit_class=lc,
                    window=window,
                    window_start=now,
                    used=used,
                    limit_value=limit,
                    updated_at=now,
                )
            )
        for k in range(96):
            start = now - timedelta(minutes=15 * (96 - k))
            for lc, limit in (("overall", 200), ("read", 100)):
                conn.execute(
                    rate_history.insert().values(
                        limit_class=lc,
                        window="15min",
                        window_start=start,
                        used=int(limit * (0.2 + 0.7 * ((k * 37) % 17) / 17)),
                        limit_value=limit,
                        http_429=0,
                    )
                )
        sid = session_q.start_session(
            conn,
            athlete_id=101,
            mode="incremental",
            trigger="scheduler",
            now=now - timedelta(minutes=12),
        )
        for n in range(5):
            session_q.add_log(
                conn,
                sid,
                level="INFO",
                message=f"page {n + 1}: 30 activities",
                now=now - timedelta(minutes=12),
                athlete_id=101,
            )
        session_q.add_log(
            conn,
            sid,
            level="WARNING",
            message="slow answer from Strava",
            now=now - timedelta(minutes=11),
            athlete_id=101,
        )
        session_q.finish_session(
            conn,
            sid,
            status="done",
            now=now - timedelta(minutes=11),
            api_calls=6,
            summary={"created": 3},
        )
        outbox.enqueue(
            conn,
            event="activity.created",
            athlete_id=101,
            activity_id=5000,
            payload={"activity_id": 5000},
            now=now,
        )
        from stravasync.store.schema import notifications

        conn.execute(
            update(notifications).values(
                state="dead", attempts=8, last_error="HTTP 503 after 8 attempts"
            )
        )
        conn.execute(
            scheduler_jobs.insert().values(
                name="prune_logs", interval_s=3600, next_run_at=now + timedelta(minutes=30)
            )
        )


NOW = datetime.now(UTC).replace(microsecond=0)


class Receiver:
    """A real HTTP server that records deliveries and answers the next queued status."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append({"headers": dict(self.headers), "body": body})
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
