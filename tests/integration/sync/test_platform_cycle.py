"""One full cycle on both of Strava's platforms (2026: one origin; 2027: the API on its own origin
without /api/v3, deauthorize retired, tokens only in headers), on SQLite and PostgreSQL:

connect -> sync until idle (mirror == truth) -> webhooks subscribe / list / unsubscribe -> doctor
-> disconnect (revoke) -> an athlete revoking on Strava -> purge (a token still held is revoked).

The simulator's request log of the cycle is then counted: no retired endpoint, no /api/v3 on the
2027 API origin, no token outside the Authorization header.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from stravasync.lab import RECEIVER, Lab
from stravasync.simulator import SimConfig
from stravasync.store.people import athletes as athlete_q
from stravasync.store.schema import activities, tokens
from stravasync.strava import doctor as dr
from stravasync.strava import errors as e
from stravasync.strava.platform import DEPRECATED_PREFIXES, RETIRED_PATHS
from stravasync.strava.quota.ratelimit import Priority
from stravasync.strava.tokens import TokenManager
from stravasync.web.intake import subscription

STARTS = {
    "2026": datetime(2026, 12, 7, 9, 0, 30, tzinfo=UTC),
    "2027": datetime(2027, 6, 7, 9, 0, 30, tzinfo=UTC),
}


def request_counts(log: list[dict[str, Any]]) -> dict[str, int]:
    """What the done-when asks to count in a request log."""
    return {
        "requests": len(log),
        "api_origin": sum(r["origin"] == "api" for r in log),
        "oauth_origin": sum(r["origin"] == "oauth" for r in log),
        "retired_endpoints": sum(r["path"] in RETIRED_PATHS for r in log),
        "club_or_segment_explore": sum(
            r["path"].removeprefix("/api/v3").startswith(DEPRECATED_PREFIXES) for r in log
        ),
        "api_v3_on_api_origin": sum(
            r["origin"] == "api" and r["path"].startswith("/api/v3") for r in log
        ),
        "tokens_outside_headers": sum(bool(r["token_outside_header"]) for r in log),
    }


def rows(lab: Lab, table: Any, athlete_id: int) -> int:
    with lab.db.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(table).where(table.c.athlete_id == athlete_id)
            ).scalar_one()
        )


@pytest.mark.parametrize("platform", ["2026", "2027"])
def test_full_cycle_on_each_platform(db_url: str, tmp_path: Path, platform: str) -> None:
    lab = Lab(
        db_url=db_url,
        sim_config=SimConfig(
            seed=5,
            athletes=3,
            history_days=40,
            quota="unlimited",
            late_connect_fraction=0.0,
            heavy_fraction=0.0,
            platform=platform,
        ),
        start=STARTS[platform],
        work_dir=tmp_path,
        overrides={"rate_tier": "unlimited", "sync_purge_grace_days": 0},
    )
    try:
        client = lab.engine.port.client
        manager: TokenManager = lab.engine.tokens  # type: ignore[assignment]
        leaver, revoker, stayer = lab.sim.athlete_ids()[:3]

        # connect, sync until idle: the mirror equals the truth
        for athlete_id in (leaver, revoker, stayer):
            lab.connect(athlete_id)
        lab.run_until_idle()
        diffs = lab.diff()
        assert len(diffs) == 3 and all(d.exact for d in diffs), diffs
        assert rows(lab, activities, leaver) > 0

        # webhooks (the services `stravasync webhooks ...` runs): the lab subscribed; list,
        # unsubscribe, subscribe again
        callback = f"{RECEIVER}/webhooks/strava"
        [sub] = subscription.list_subscriptions(lab.db, client)
        assert sub.callback_url == callback and sub.stored
        assert subscription.unsubscribe(lab.db, client) == sub.id
        assert subscription.list_subscriptions(lab.db, client) == []
        again = subscription.subscribe(
            lab.db,
            client,
            callback_url=callback,
            verify_token=lab.verify_token,
            now=lab.clock.now(),
            precheck=False,
        )
        assert [(s.id, s.stored) for s in subscription.list_subscriptions(lab.db, client)] == [
            (again, True)
        ]

        # doctor's checks, with the same calls `stravasync doctor` makes
        report = dr.Report()
        assert dr.check_credentials(
            report, client.list_push_subscriptions, f"{RECEIVER}/webhooks/strava"
        )
        dr.check_token(
            report,
            lambda: manager.access_token(stayer, priority=dr.PRIORITY),
            lambda token: client.get_athlete(token, priority=dr.PRIORITY),
            lambda token: client.list_activities(token, per_page=1, priority=dr.PRIORITY),
            "read,activity:read_all",
        )
        report.findings += dr.origin_findings(
            client.origins, client.transport.answered_at, lab.clock.now().date()
        )
        assert report.ok, report.as_json()
        assert client.transport.answered_at == client.origins.api

        # the operator disconnects one athlete: revoked on Strava, purge scheduled
        token = manager.access_token(leaver)
        manager.disconnect(leaver, lab.clock.now(), purge_at=lab.clock.now())
        with pytest.raises(e.Unauthorized):
            client.get_athlete(token, priority=Priority.INTERACTIVE)

        # another revokes on Strava: the webhook is confirmed, the purge revokes the held token
        lab.sim.deauthorize_athlete(revoker)
        lab.advance(600, step=60)  # the event is delivered, confirmed, the purge runs
        for gone in (leaver, revoker):
            assert rows(lab, activities, gone) == 0
            assert rows(lab, tokens, gone) == 0
        with lab.db.engine.connect() as conn:
            assert athlete_q.get_athlete(conn, stayer)["status"] == "active"  # type: ignore[index]
        assert rows(lab, activities, stayer) > 0

        log = lab.sim.request_log.items()
        counts = request_counts(log)
        (tmp_path / f"requests-{platform}.json").write_text(json.dumps(log, indent=1))
        print(f"platform {platform} request log:", counts)
        assert counts["retired_endpoints"] == 0
        assert counts["club_or_segment_explore"] == 0
        assert counts["tokens_outside_headers"] == 0
        assert counts["api_v3_on_api_origin"] == 0
        revokes = Counter(r["status"] for r in log if r["path"] == "/oauth/revoke")
        assert revokes == {200: 2}, revokes  # the disconnect, and the token held at the purge
        if platform == "2027":
            assert counts["api_origin"] > 0
            assert not [r for r in log if r["origin"] == "oauth" and r["path"].startswith("/api")]
        else:
            assert counts["api_origin"] == 0  # one origin: everything on the main one
    finally:
        lab.close()
