"""Tokens only in the Authorization header: every request the CLI, ``doctor``, the service and
the web connect flow send to a simulated Strava is audited (the simulator logs where each token
travelled, on both origins), on the 2026 platform (which would accept a token anywhere) and the
2027 one (the API on its own origin). Nothing may carry ``access_token`` in a query string or a
form body, nor reach a retired endpoint. (The 2027 case is marked slow: a 2027 simulator refuses
such a request with 401 anyway, and the in-process cycle test audits that platform's log.)
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from stravasync.strava.platform import DEPRECATED_PREFIXES, RETIRED_PATHS
from tests.e2e.serveproc import serve
from tests.e2e.simproc import cli_env, free_port, run_cli, simulator

SCOPE = "read,activity:read_all"


@pytest.mark.parametrize("platform", ["2026", pytest.param("2027", marks=pytest.mark.slow)])
def test_no_token_travels_outside_the_authorization_header(tmp_path: Path, platform: str) -> None:
    args = ("--athletes", "3", "--history-days", "10", "--seed", "3", "--quota", "unlimited")
    with simulator(*args, "--platform", platform) as sim:
        port = free_port()
        env = cli_env(
            sim,
            f"sqlite:///{tmp_path}/db.sqlite",
            tmp_path,
            STRAVASYNC_REDIRECT_URI=f"http://127.0.0.1:{port}/oauth/callback",
            STRAVASYNC_PUBLIC_URL=f"http://127.0.0.1:{port}",
            STRAVASYNC_WEBHOOK_VERIFY_TOKEN="audit-verify-token",
            STRAVASYNC_RATE_TIER="unlimited",
            STRAVASYNC_SYNC_ENRICH="false",
        )
        first, second, third = 10000001, 10000002, 10000003

        def cli(*argv: str) -> str:
            done = run_cli(list(argv), env, tmp_path, timeout=120)
            assert done.returncode == 0, (argv, done.stdout, done.stderr)
            return done.stdout

        # the CLI: connect with a code, sync, the doctor, disconnect (revoke)
        cli("auth", "--code", sim.grant(first, SCOPE), "--scope", SCOPE, "--no-listen")
        cli("sync", "--until-idle", "--deadline", "60")
        doctor = run_cli(["doctor", "--json", "--athlete", str(first)], env, tmp_path)
        report = json.loads(doctor.stdout)  # exit 1: no webhook subscription yet
        findings = {f["check"]: f for f in report["findings"]}
        assert findings["origin"]["ok"] and findings["token"]["ok"], report
        assert not findings["webhook"]["ok"], report

        # the service: the web connect flow (two athletes, the second as a new one), then a
        # webhook subscription (list and unsubscribe: the in-process cycle test)
        with serve(env, tmp_path, port) as svc, httpx.Client(timeout=30) as browser:
            for athlete in (second, third):
                start = browser.get(svc.url + "/connect", follow_redirects=False)
                assert start.status_code == 303
                page = browser.get(
                    start.headers["location"] + f"&sim_athlete_id={athlete}",
                    follow_redirects=False,
                )
                back = browser.get(page.headers["location"])
                assert back.status_code == 200, back.text
            cli("webhooks", "subscribe", "--callback-url", svc.url + "/webhooks/strava")
        cli("auth", "disconnect", str(first))

        log = sim.request_log()
    paths = {(r["origin"], r["path"]) for r in log}
    assert ("oauth", "/oauth/revoke") in paths and ("oauth", "/oauth/token") in paths
    if platform == "2027":
        assert ("api", "/athlete/activities") in paths
        assert not [r for r in log if r["origin"] == "api" and r["path"].startswith("/api/v3")]
    print(
        f"platform {platform}: {len(log)} requests,",
        sum(r["origin"] == "api" for r in log),
        "on the API origin;",
        sum(r["path"] in RETIRED_PATHS for r in log),
        "retired;",
        sum(r["origin"] == "api" and r["path"].startswith("/api/v3") for r in log),
        "/api/v3 on the API origin;",
        sum(bool(r["token_outside_header"]) for r in log),
        "tokens outside headers",
    )
    outside = [r for r in log if r["token_outside_header"]]
    assert outside == [], outside
    assert [r for r in log if r["path"] in RETIRED_PATHS] == []
    assert not [r for r in log if r["path"].removeprefix("/api/v3").startswith(DEPRECATED_PREFIXES)]
    bearer_paths = {r["path"] for r in log if r["bearer"]}
    assert not {p for p in bearer_paths if p.startswith("/oauth")}, bearer_paths
