"""Running the small units of work: one webhook event, one job (purge)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from stravasync.store.mirror import removals
from stravasync.store.pending import event_claims, syncstate
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.people import athletes as athletes_q
from stravasync.store.people import purge
from stravasync.strava.errors import (
    Deferred,
    NotConnected,
    ScopeMissing,
    StravaError,
    TokenRevoked,
    Unauthorized,
)
from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync import events, mirror
from stravasync.sync.context import PassContext, run_authorized
from stravasync.work import DeadLetter, describe, on_failure

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
    """Apply one inbox event; outcomes: done, ignored, retried later, or dead-lettered.

    Whatever fails (Strava, a bug, the store) counts an attempt under the retry policy."""
    try:
        _process_event(engine, event)
    except Exception as exc:  # a bug or a store failure: the policy applies all the same
        error = describe(exc)
        log.exception("webhook event failed: %s", error, extra={"athlete_id": event["owner_id"]})
        _event_failed(engine, event, error, athlete_error=True)


def _process_event(engine: Engine, event: dict[str, Any]) -> None:
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
        _event_failed(engine, event, str(exc))
        log.warning("webhook event failed: %s", exc, extra={"athlete_id": athlete_id})
        return
    _finish_event(engine, event_id, "ignored" if action is events.EventAction.IGNORE else "done")


def _event_failed(
    engine: Engine, event: dict[str, Any], error: str, *, athlete_error: bool = False
) -> None:
    """Retry with backoff or dead-letter the event; an unexpected error shows on the athlete."""
    now = engine.clock.now()
    decision = on_failure(engine.cfg.retry, int(event["attempts"]), now, engine.rng)
    values: dict[str, Any] = {"error": error[:500], "attempts": decision.attempts}
    if isinstance(decision, DeadLetter):
        state = "dead"
    else:
        state, values["due_at"] = "pending", decision.at
    with engine.db.transaction() as conn:
        event_claims.finish_event(
            conn, int(event["id"]), owner=engine.owner, state=state, now=now, **values
        )
    if athlete_error:
        try:
            with engine.db.transaction() as conn:
                syncstate.record_error(conn, int(event["owner_id"]), f"webhook event: {error}", now)
        except Exception as exc:  # an owner id the store cannot even look up
            log.warning("event error not shown on its athlete: %s", describe(exc))


def run_job(engine: Engine, job: dict[str, Any]) -> None:
    """Run a one-off job; any failure is retried with backoff, then dead-lettered."""
    try:
        _run_job(engine, job)
    except Exception as exc:
        error = describe(exc)
        log.exception("job %s failed: %s", job["kind"], error, extra={"job": job["kind"]})
        now = engine.clock.now()
        decision = on_failure(engine.cfg.retry, int(job["attempts"] or 0), now, engine.rng)
        dead = isinstance(decision, DeadLetter)
        with engine.db.transaction() as conn:
            jobs_q.finish(
                conn,
                int(job["id"]),
                owner=engine.owner,
                state="dead" if dead else "pending",
                now=now,
                error=error,
                attempts=decision.attempts,
                due_at=None if isinstance(decision, DeadLetter) else decision.at,
            )


def _run_job(engine: Engine, job: dict[str, Any]) -> None:
    now = engine.clock.now()
    if job["kind"] == "purge":
        athlete_id = int(job["athlete_id"])
        with engine.db.engine.connect() as conn:
            athlete = athletes_q.get_athlete(conn, athlete_id)
        if athlete is not None and athlete["status"] == "deauthorized":
            engine.tokens.revoke_held(athlete_id)  # a token still held dies on Strava first
        with engine.db.transaction() as conn:
            athlete = athletes_q.get_athlete(conn, athlete_id)
            if athlete is not None and athlete["status"] == "deauthorized":
                removed = purge.purge_athlete(conn, athlete_id, keep_job=int(job["id"]))
                removals.note(conn, now=now, kind="purge")  # the warehouse must follow
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
