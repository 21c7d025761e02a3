"""Operator alerts through Apprise to a local HTTP receiver (real HTTP, ``json://``), run by
the engine's periodic jobs in virtual time on both backends: what arrives, deduplication
across checks and across a restart, a state change told once each way, and a failing
receiver that breaks nothing (the alert arrives once it answers again)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from stravasync.lab import Lab
from stravasync.store.operator import appstate as appstate_q
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.schema import scheduler_jobs
from tests.integration.sync.labs import quiet_lab

START = datetime(2026, 5, 4, 9, 3, tzinfo=UTC)  # not at a quarter-hour (budget guard)
SECRET = "pa55-in-url"
KEY = Fernet.generate_key().decode()


class Receiver:
    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.fail = False
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if owner.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                owner.got.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def titles(self) -> list[str]:
        return [str(m["title"]) for m in self.got]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def make_lab(db_url: str, tmp_path: Path, receiver: Receiver) -> Lab:
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=3,
        athletes=2,
        history_days=5,
        overrides={
            "alert_urls": f"json://alerts:{SECRET}@127.0.0.1:{receiver.port}/hook",
            "alert_check_seconds": 60,
            "alert_repeat_hours": 2,
            "alert_disk_min_free_mb": 0,
            "schedule_stale_report": "",
            "secret_key": KEY,  # the restarted lab reads the tokens the first one stored
        },
    )
    return lab


def jump(lab: Lab, seconds: float) -> None:
    """Move virtual time at once, then let the engine run what fell due (once, coalesced)."""
    lab.sim.advance_to(lab.clock.now() + timedelta(seconds=seconds))
    lab.run_until_idle()


def outcome(lab: Lab, name: str) -> str:
    with lab.db.engine.connect() as conn:
        return str(
            conn.execute(
                select(scheduler_jobs.c.last_outcome).where(scheduler_jobs.c.name == name)
            ).scalar()
        )


def test_alerts_arrive_once_survive_a_restart_and_a_failing_receiver(
    db_url: str, tmp_path: Path, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    lab = make_lab(db_url, tmp_path, receiver)
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)
        lab.run_until_idle()
        lab.advance(180)
        assert receiver.got == []  # a healthy mirror says nothing
        now = lab.clock.now()
        with lab.db.transaction() as conn:
            appstate_q.enter(
                conn,
                condition="application_inactive",
                reason="Application is inactive",
                next_probe_at=now + timedelta(days=30),
                now=now,
            )
            jobs_q.enqueue(conn, kind="mystery", dedupe_key="mystery", due_at=now, now=now)
        lab.advance(300)  # the unknown job dies at once (a dead letter); checks every minute
        assert sorted(receiver.titles()) == [
            "stravasync: Dead letters",
            "stravasync: Strava application suspended",
        ]
        first = receiver.got[receiver.titles().index("stravasync: Dead letters")]
        assert first["type"] == "warning" and "1 unit(s)" in first["message"]
    finally:
        lab.close()

    # a restart (a new process on the same database) repeats nothing
    lab = make_lab(db_url, tmp_path, receiver)
    lab.connected.update(lab.sim.athlete_ids())  # connected before the restart
    try:
        lab.advance(300)
        assert len(receiver.got) == 2

        # the receiver fails: the service goes on; the resume is told once it answers again
        receiver.fail = True
        with lab.db.transaction() as conn:
            appstate_q.clear(conn)
        lab.advance(300)
        assert len(receiver.got) == 2
        assert "1 failed" in outcome(lab, "alerts")
        receiver.fail = False
        lab.advance(120)
        assert receiver.titles()[2:] == ["stravasync: Strava application resumed"]
        assert receiver.got[2]["type"] == "success"

        # the dead letter still holds: told again once the repeat period (2 h) has passed
        jump(lab, 2 * 3600)
        assert receiver.titles()[3:] == ["stravasync: Dead letters"]
    finally:
        lab.close()
    assert SECRET not in caplog.text  # the URL carries a secret: never logged
    assert "alert alert" not in caplog.text
    assert "receiver #1 (json)" in caplog.text


def test_health_summary_line_in_the_log(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stravasync.sync.jobs.opsjobs")
    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=3,
        athletes=2,
        history_days=5,
        overrides={"health_summary_seconds": 3600, "schedule_stale_report": ""},
    )
    try:
        for athlete_id in lab.sim.athlete_ids():
            lab.connect(athlete_id)
        lab.run_until_idle()
        jump(lab, 3600)
        jump(lab, 3600)
    finally:
        lab.close()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("health: ")]
    assert len(lines) == 2  # hourly, in virtual time
    assert "athletes 2 active" in lines[-1] and "dead letters 0" in lines[-1]
    assert "app ok" in lines[-1]


def test_webhook_problems_are_facts(db_url: str, tmp_path: Path) -> None:
    """Webhooks required but no subscription stored; then a subscription whose events stopped
    while polling keeps finding new activities (the callback no longer reached)."""
    from stravasync.store.operator import admin as admin_q
    from stravasync.store.schema import activities, webhook_events
    from stravasync.sync import WEBHOOK_SUBSCRIPTION_KEY
    from stravasync.sync.jobs.opsjobs import gather

    lab = quiet_lab(
        db_url,
        tmp_path,
        start=START,
        seed=3,
        athletes=1,
        history_days=5,
        overrides={"sync_webhooks": "on", "alert_webhook_silence_hours": 6},
    )
    try:
        (athlete_id,) = lab.sim.athlete_ids()
        lab.connect(athlete_id)
        lab.run_until_idle()
        now = lab.clock.now()
        facts, _, _ = gather(lab.engine, now)
        assert facts.webhook_problem is not None
        assert "no Strava push subscription is stored" in facts.webhook_problem
        with lab.db.transaction() as conn:
            admin_q.put_setting(conn, WEBHOOK_SUBSCRIPTION_KEY, 99, now=now)
        assert gather(lab.engine, now)[0].webhook_problem is None  # no event yet: no verdict
        last_event = now - timedelta(days=2)
        with lab.db.transaction() as conn:
            conn.execute(
                webhook_events.insert().values(
                    dedupe_key="old",
                    object_type="activity",
                    object_id=1,
                    aspect_type="create",
                    owner_id=athlete_id,
                    subscription_id=99,
                    event_time=int(last_event.timestamp()),
                    received_at=last_event,
                    state="done",
                    due_at=last_event,
                )
            )
            newest = conn.execute(
                select(activities.c.id).order_by(activities.c.start_date.desc()).limit(1)
            ).scalar_one()
            # a new activity (started after the last event) mirrored a day after it
            conn.execute(
                activities.update()
                .where(activities.c.id == newest)
                .values(start_date=last_event + timedelta(hours=1), first_seen=now)
            )
        problem = gather(lab.engine, now)[0].webhook_problem
        assert problem is not None and "Strava may no longer reach the callback" in problem
    finally:
        lab.close()
