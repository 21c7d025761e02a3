"""A real ``stravasync serve`` with STRAVASYNC_ALERT_URLS: a dead letter reaches the working
receiver once (real HTTP through Apprise, checked every second), a refusing receiver beside it
breaks nothing (/readyz stays ready), and the URL's secret never reaches the log."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
from sqlalchemy import update

from stravasync.store import Database
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.schema import jobs
from tests.e2e.serveproc import serve, wait_until
from tests.e2e.simproc import free_port
from tests.integration.alerts.test_alerts_delivery import Receiver
from tests.integration.web.conftest import START

SECRET = "url-secret-e2e"


def test_serve_sends_an_alert_once_and_survives_a_refusing_receiver(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mirror.db'}"
    db = Database.open(url)
    try:
        with db.transaction() as conn:
            jobs_q.enqueue(conn, kind="mystery", dedupe_key="m", due_at=START, now=START)
            conn.execute(update(jobs).values(state="dead", last_error="test"))
    finally:
        db.close()
    receiver = Receiver()
    closed = free_port()  # nothing listens there: connection refused
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=url,
        STRAVASYNC_CLIENT_ID="1",
        STRAVASYNC_CLIENT_SECRET="alerts-e2e-secret",
        STRAVASYNC_STRAVA_BASE_URL="http://127.0.0.1:9",
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
        STRAVASYNC_ADMIN_TOKEN="alerts-e2e-admin-token-long-enough",
        STRAVASYNC_ALERT_URLS=(
            f"json://u:{SECRET}@127.0.0.1:{closed}/x, "
            f"json://u:{SECRET}@127.0.0.1:{receiver.port}/hook"
        ),
        STRAVASYNC_ALERT_CHECK_SECONDS="1",
        STRAVASYNC_ALERT_DISK_MIN_FREE_MB="0",
    )
    try:
        with serve(env, tmp_path) as proc:
            assert wait_until(lambda: bool(receiver.got), 30), proc.log.read_text()
            time.sleep(4)  # four more checks: nothing is repeated
            assert receiver.titles() == ["stravasync: Dead letters"]
            assert receiver.got[0]["type"] == "warning"
            ready = httpx.get(proc.url + "/readyz", timeout=10)
            assert ready.status_code == 200
        log = proc.log.read_text()
    finally:
        receiver.close()
    assert SECRET not in log
    assert "not delivered to receiver #1 (json)" in log
