"""Running the small units of work: one webhook event, one job (purge)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from stravasync.store import athletes as athletes_q
from stravasync.store import event_claims, purge
from stravasync.store import jobs as jobs_q
from stravasync.strava.errors import (
    Deferred,
    NotConnected,
    ScopeMissing,
    StravaError,
    TokenRevoked,
    Unauthorized,
)
from stravasync.strava.ratelimit import Priority
from stravasync.sync import events, mirror
from stravasync.sync.context import PassContext, run_authorized
from stravasync.work.retry import DeadLetter, on_failure

if TYPE_CHECKING:
    from stravasync.sync.engine import Engine

log = logging.getLogger(__name__)


def _needs_token(event: dict[str, Any]) -> bool:
    return event["object_type"] == "activity" and event["aspect_type"] in ("create", "update")


def _finish_event(engine: Engine, event_id: int, state: str, **values: Any) -> None:
    with engine.db.transaction() as conn:
        event_claims.finish_event(
            conn, event_id, owner=engine.owner, state=state, now=engine.clock.now(), **values
        )


def process_event(engine: Engine, event: dict[str, Any]) -> None:
    """Apply one inbox event; outcomes: done, ignored, retried later, or dead-lettered."""
    event_id = int(event["id"])
    athlete_id = int(event["owner_id"])
    now = engine.clock.now()
    with engine.db.engine.connect() as conn:
        athlete = athletes_q.get_athlete(conn, athlete_id)
    if athlete is None:
        _finish_event(engine, event_id, "ignored", error="unknown athlete")
        return
    active = athlete["status"] == "active"
    fetch = bool(athlete["auto_sync"])  # opted out: only changes that cost no request
    ctx = PassContext(
        engine.db,
        engine.cfg,
        engine.port,
        engine.tokens,
        engine.clock,
        athlete_id,
        engine.owner,
        f"event-{event_id}",
        priority=Priority.WEBHOOK,
    )
    try:
        if active and fetch and _needs_token(event):
            ctx.token = engine.tokens.access_token(athlete_id, now, priority=ctx.priority)
        action = run_authorized(
            ctx, lambda _resumed: events.process(ctx, event, active=active, fetch=fetch)
        )
    except Deferred as exc:
        _finish_event(engine, event_id, "pending", due_at=exc.retry_at, error=str(exc))
        return
    except (TokenRevoked, Unauthorized, ScopeMissing, NotConnected) as exc:
        now = engine.clock.now()
        with engine.db.transaction() as conn:
            mirror.mark_reconnect_needed(conn, engine.cfg, athlete_id, now, str(exc))
        _finish_event(engine, event_id, "ignored", error=str(exc)[:500])
        return
    except StravaError as exc:
        decision = on_failure(
            engine.cfg.retry, int(event["attempts"]), engine.clock.now(), engine.rng
        )
        if isinstance(decision, DeadLetter):
            _finish_event(
                engine, event_id, "dead", error=str(exc)[:500], attempts=decision.attempts
            )
        else:
            _finish_event(
                engine,
                event_id,
                "pending",
                error=str(exc)[:500],
                attempts=decision.attempts,
                due_at=decision.at,
            )
        log.warning("webhook event failed: %s", exc, extra={"athlete_id": athlete_id})
        return
    _finish_event(engine, event_id, "ignored" if action is events.EventAction.IGNORE else "done")


def run_job(engine: Engine, job: dict[str, Any]) -> None:
    now = engine.clock.now()
    if job["kind"] == "purge":
        athlete_id = int(job["athlete_id"])
        with engine.db.transaction() as conn:
            athlete = athletes_q.get_athlete(conn, athlete_id)
            if athlete is not None and athlete["status"] == "deauthorized":
                removed = purge.purge_athlete(conn, athlete_id, keep_job=int(job["id"]))
                purge.anonymize_job(conn, int(job["id"]), removed=removed, now=now)
                log.info(
                    "purged a deauthorized athlete's data (audit: job %s): %s",
                    job["id"],
                    ", ".join(f"{n} {table}" for table, n in sorted(removed.items())),
                )
            else:  # reconnected during the grace period (or already gone): nothing to purge
                jobs_q.finish(conn, int(job["id"]), owner=engine.owner, state="done", now=now)
        return
    with engine.db.transaction() as conn:
        jobs_q.finish(
            conn,
            int(job["id"]),
            owner=engine.owner,
            state="dead",
            now=now,
            error=f"unknown job kind {job['kind']!r}",
        )
