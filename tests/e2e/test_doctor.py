"""``stravasync doctor`` as a subprocess against a `stravasync simulate` process over HTTP.

Wrong credentials, a token without activity:read_all, no webhook subscription, a budget set
above Strava's tier, and a healthy setup; each time the requests it says it spent are the ones
the simulator counted, and never more than 5.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.simproc import SimProcess, cli_env, free_port, run_cli, simulator


@pytest.fixture(scope="module")
def sim() -> Iterator[SimProcess]:
    with simulator("--athletes", "4", "--history-days", "20", "--seed", "5") as s:
        yield s


def doctor(sim: SimProcess, env: dict[str, str], cwd: Path) -> tuple[int, dict[str, Any]]:
    before = sim.stats()["requests_total"]
    out = run_cli(["doctor", "--json"], env, cwd, timeout=120)
    assert "Traceback" not in out.stderr, out.stderr
    report = json.loads(out.stdout)
    assert report["requests"] == sim.stats()["requests_total"] - before <= 5
    return out.returncode, report


def bad(report: dict[str, Any]) -> dict[str, str]:
    return {f["check"]: f["message"] for f in report["findings"] if not f["ok"]}


def connect(sim: SimProcess, env: dict[str, str], cwd: Path, athlete: int, scope: str) -> None:
    code = sim.grant(athlete, scope)
    out = run_cli(["auth", "--code", code, "--scope", scope, "--no-listen"], env, cwd)
    assert out.returncode == 0, out.stderr


def test_wrong_credentials_are_named_in_one_request(sim: SimProcess, tmp_path: Path) -> None:
    env = cli_env(sim, f"sqlite:///{tmp_path}/db.sqlite", tmp_path)
    env["STRAVASYNC_CLIENT_SECRET"] = "not-the-secret"
    code, report = doctor(sim, env, tmp_path)
    assert code == 1 and "credentials" in bad(report)
    assert "STRAVASYNC_CLIENT_SECRET" in bad(report)["credentials"]
    env["STRAVASYNC_CLIENT_ID"] = "999999"  # Strava answers 400 for an unknown id
    code, report = doctor(sim, env, tmp_path)
    assert code == 1 and "credentials" in bad(report) and report["requests"] == 1


def test_missing_scope_no_webhook_and_a_budget_above_strava(
    sim: SimProcess, tmp_path: Path
) -> None:
    env = cli_env(
        sim,
        f"sqlite:///{tmp_path}/db.sqlite",
        tmp_path,
        STRAVASYNC_REQUIRE_PRIVATE_SCOPE="false",
        STRAVASYNC_RATE_TIER="extended",
    )
    connect(sim, env, tmp_path, 10000002, "read,activity:read")
    code, report = doctor(sim, env, tmp_path)
    problems = bad(report)
    assert code == 1
    assert set(problems) == {"scopes", "webhook", "rate_limits"}, problems
    assert "activity:read_all" in problems["scopes"]
    assert "no webhook subscription" in problems["webhook"]
    assert "STRAVASYNC_RATE_TIER=default" in problems["rate_limits"]
    text = run_cli(["doctor"], env, tmp_path, timeout=120)
    assert text.returncode == 1 and "request(s) spent on Strava" in text.stdout


class _Challenge(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        challenge = parse_qs(urlparse(self.path).query).get("hub.challenge", [""])[0]
        body = json.dumps({"hub.challenge": challenge}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_healthy_setup_passes(sim: SimProcess, tmp_path: Path) -> None:
    port = free_port()
    server = HTTPServer(("127.0.0.1", port), _Challenge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    public = f"http://127.0.0.1:{port}"
    env = cli_env(
        sim,
        f"sqlite:///{tmp_path}/db.sqlite",
        tmp_path,
        STRAVASYNC_PUBLIC_URL=public,
        STRAVASYNC_WEBHOOK_VERIFY_TOKEN="doctor-test-token",
    )
    connect(sim, env, tmp_path, 10000003, "read,activity:read_all,profile:read_all")
    # a second athlete: doctor checks the newest connection instead of refusing (issue 23)
    connect(sim, env, tmp_path, 10000004, "read,activity:read_all,profile:read_all")
    sub = run_cli(
        ["webhooks", "subscribe", "--callback-url", public + "/webhooks/strava"], env, tmp_path
    )
    try:
        assert sub.returncode == 0, sub.stderr
        code, report = doctor(sim, env, tmp_path)
        assert code == 0 and bad(report) == {}, report
        messages = [f["message"] for f in report["findings"]]
        assert "2 athletes are connected: checking 10000004" in " ".join(messages)
        assert "the token of athlete 10000004 works" in messages
        checks = {f["check"] for f in report["findings"]}
        assert {"credentials", "webhook", "token", "scopes", "rate_limits"} <= checks
        assert report["requests"] == 3  # subscriptions, athlete, one listing page (no refresh due)
    finally:
        run_cli(["webhooks", "unsubscribe"], env, tmp_path)
        server.shutdown()


def test_strava_unreachable_spends_nothing(tmp_path: Path) -> None:
    """Issue 23: a request that never reached Strava is not counted as spent."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    env.update(
        STRAVASYNC_DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite",
        STRAVASYNC_STRAVA_BASE_URL=f"http://127.0.0.1:{free_port()}",  # nothing listens
        STRAVASYNC_CLIENT_ID="1",
        STRAVASYNC_CLIENT_SECRET="s",
        STRAVASYNC_KEY_FILE=str(tmp_path / "secret.key"),
    )
    text = run_cli(["doctor"], env, tmp_path, timeout=120)
    assert text.returncode == 1 and "Traceback" not in text.stderr
    assert "no request reached Strava, nothing was spent" in text.stdout
    assert "request(s) spent" not in text.stdout
    as_json = run_cli(["doctor", "--json"], env, tmp_path, timeout=120)
    report = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and report["requests"] == 0
    assert "cannot reach" in bad(report)["credentials"]
