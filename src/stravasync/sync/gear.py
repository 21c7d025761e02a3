"""The gear step: after a pass, read what :mod:`stravasync.sync.planning.gear_plan` says is due.

Every read is spent at the enrichment class. A budget refusal or a failed read ends the step
quietly (the gear stays due, the next pass tries again); only an authorization failure travels
on to the pass, which handles it as it handles any other.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from stravasync.store.mirror import gear as gear_q
from stravasync.store.people import athletes as athletes_q
from stravasync.strava.errors import Deferred, NotConnected, StravaError, Unauthorized
from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync.context import PassContext
from stravasync.sync.planning.gear_plan import GearState, list_due, to_fetch

log = logging.getLogger(__name__)

GEAR_PRIORITY = Priority.ENRICH
PROFILE_SCOPE = "profile:read_all"


def _states(known: dict[str, gear_q.KnownGear]) -> dict[str, GearState]:
    return {g: GearState(k.retired, k.detailed, k.named, k.refreshed_at) for g, k in known.items()}


def run_gear(ctx: PassContext) -> int:
    """Read the athlete's due gear; returns the reads spent."""
    if not ctx.cfg.gear:
        return 0
    every = timedelta(seconds=ctx.cfg.gear_refresh)
    reads = 0
    try:
        with ctx.db.engine.connect() as conn:
            known = gear_q.known(conn, ctx.athlete_id)
            seen = gear_q.seen_ids(conn, ctx.athlete_id)
            listed_at = gear_q.listed_at(conn, ctx.athlete_id)
            athlete = athletes_q.get_athlete(conn, ctx.athlete_id) or {}
        can_list = PROFILE_SCOPE in str(athlete.get("scopes") or "").split(",")
        if list_due(
            can_list=can_list,
            listed_at=listed_at,
            known=_states(known),
            seen=seen,
            now=ctx.now(),
            refresh_every=every,
        ):
            listed = ctx.port.athlete_gear(ctx.token, priority=GEAR_PRIORITY)
            reads += 1
            with ctx.db.transaction() as conn:
                bikes, shoes = listed or ([], [])
                if listed is None:
                    log.info(
                        "GET /athlete listed no gear although %s was granted",
                        PROFILE_SCOPE,
                        extra={"athlete_id": ctx.athlete_id},
                    )
                gear_q.store_listed(conn, ctx.athlete_id, bikes, shoes, ctx.now())
                known = gear_q.known(conn, ctx.athlete_id)
        wanted = to_fetch(
            known=_states(known),
            seen=seen,
            now=ctx.now(),
            refresh_every=every,
            limit=ctx.cfg.gear_reads,
        )
        for gear_id in wanted:
            ctx.between_pages()
            data = ctx.port.gear(ctx.token, gear_id, priority=GEAR_PRIORITY)
            reads += 1
            state = known.get(gear_id)
            in_list = None if not can_list else state is not None and not state.retired
            with ctx.db.transaction() as conn:
                gear_q.store_detailed(
                    conn, ctx.athlete_id, gear_id, data, ctx.now(), listed=in_list
                )
    except Deferred as exc:
        log.info("gear waits for the budget: %s", exc, extra={"athlete_id": ctx.athlete_id})
    except (Unauthorized, NotConnected):
        raise
    except StravaError as exc:
        log.info("gear not read: %s", exc, extra={"athlete_id": ctx.athlete_id})
    return reads
