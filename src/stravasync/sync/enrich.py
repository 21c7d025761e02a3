"""The enrich pass: DetailedActivity (and optionally streams) for the activities whose detail is
due, newest first, one request and one transaction each.

Which details are due is :mod:`stravasync.store.mirror.detail_freshness`'s decision (missing, made
stale by a summary change, fetched before the activity settled, or asked for). The scope comes
from the request that started the pass (``syncstate.request_mode`` options, kept in the
checkpoint) or, for the automatic pass, is the recent window ``SYNC_ENRICH_DAYS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from stravasync.clock import as_utc
from stravasync.store.mirror import activities as acts
from stravasync.store.mirror import details as details_q
from stravasync.store.mirror import streams as streams_q
from stravasync.strava.quota.ratelimit import Priority
from stravasync.sync import mirror
from stravasync.sync.config import EngineConfig
from stravasync.sync.context import PassContext
from stravasync.sync.outcomes.result import PassResult
from stravasync.sync.planning.plan import Mode
from stravasync.sync.planning.streams_policy import streams_due


@dataclass(frozen=True, slots=True)
class EnrichScope:
    """Which activities a pass looks at, and since when a request forces a fetch."""

    since: datetime | None
    until: datetime | None
    activity_ids: list[int] | None
    forced_since: datetime | None
    automatic: bool  # covers what the automatic pass would: it may clear ``enrich_pending``

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "activity_ids": self.activity_ids,
            "forced_since": self.forced_since,
        }


EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # as web.bounds
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_IDS = 1000
MAX_ID = 2**63 - 1


class BadEnrichRequest(ValueError):
    """An enrich request that names nothing sensible; ``field`` is the option at fault."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option = option
        self.problem = problem


def request_options(
    *,
    since_days: float | None = None,
    all_: bool = False,
    activity_ids: list[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Checkpoint options of an enrich request (CLI, admin API), checked and bounded."""
    out: dict[str, Any] = {}
    if activity_ids:
        if len(activity_ids) > MAX_IDS:
            raise BadEnrichRequest("activity_ids", f"at most {MAX_IDS} at once")
        bad = [i for i in activity_ids if not 0 < i <= MAX_ID]
        if bad:
            raise BadEnrichRequest("activity_ids", f"not a Strava activity id: {bad[0]}")
        if since_days is not None or all_ or since is not None or until is not None:
            raise BadEnrichRequest("activity_ids", "named activities take no window or --all")
        out["activity_ids"] = list(dict.fromkeys(activity_ids))
    if since_days is not None:
        if not 0 < since_days <= 36500:
            raise BadEnrichRequest("since_days", "must be more than 0 and at most 36500")
        if since is not None:
            raise BadEnrichRequest("since_days", "give since_days or since, not both")
        out["since_days"] = since_days
    bounds = {n: _utc(n, v) for n, v in (("since", since), ("until", until)) if v is not None}
    if len(bounds) == 2 and bounds["since"] >= bounds["until"]:
        raise BadEnrichRequest("until", "must be after since")
    out.update({n: v.isoformat() for n, v in bounds.items()})
    if all_:
        if "since" in out or "until" in out or "since_days" in out:
            raise BadEnrichRequest("all", "the whole history takes no window")
        out["all"] = True
    if force:
        out["force"] = True
    return out


def _utc(name: str, value: datetime) -> datetime:
    """A bound as UTC (a naive one is read as UTC), within 1900..2200."""
    when = as_utc(value) if value.tzinfo else value.replace(tzinfo=UTC)
    if not EARLIEST <= when <= LATEST:
        raise BadEnrichRequest(name, "must lie between 1900 and 2200")
    return when


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(str(value)))


def scope_of(saved: Mapping[str, Any], now: datetime, cfg: EngineConfig) -> EnrichScope:
    """The scope of the stored request (``saved``: the checkpoint; ``{}`` for automatic).

    Named activities are always fetched (``--activity-id``); ``force`` fetches every detail
    in the scope not fetched since the request; ``all`` is the whole history, ``since_days``
    or ``since`` / ``until`` a window of start times; nothing named is the recent window.
    """
    opts = saved if saved.get("mode") == str(Mode.ENRICH) else {}
    started = _time(opts.get("started_at")) or now
    ids = opts.get("activity_ids")
    if ids is not None:
        return EnrichScope(None, None, [int(i) for i in ids], started, automatic=False)
    forced = started if opts.get("force") else None
    since, until = _time(opts.get("since")), _time(opts.get("until"))
    if opts.get("since_days"):
        since = now - timedelta(days=float(opts["since_days"]))
    windowed = since is not None or until is not None
    if not windowed and not opts.get("all"):
        since = now - timedelta(seconds=cfg.enrich_window)
    return EnrichScope(since, until, None, forced, automatic=not windowed)


def history_priority(due: int, slice_size: int, *, automatic: bool) -> Priority:
    """The budget class of an automatic pass's reads: more details due than one pass fetches
    is a history (a new athlete's, or a wider enrich window): fetched at the backfill's class,
    which may spend the daily reserve and is not paced over the day, as the summaries of a
    history are (a first full history then takes about its reads over the daily limit, not
    over the share enrichment keeps). A few details due (new uploads, re-fetches) stay at the
    enrich class."""
    return Priority.BACKFILL if automatic and due > slice_size else Priority.ENRICH


def run_enrich(ctx: PassContext, state: dict[str, Any]) -> PassResult:
    """Fetch the due details in the scope, ``enrich_slice`` per pass; the checkpoint keeps the
    request (and when it started) until its scope is done."""
    result = PassResult(Mode.ENRICH)
    saved = dict(state.get("checkpoint_json") or {})
    first = ctx.now()
    scope = scope_of(saved, first, ctx.cfg)
    with ctx.db.engine.connect() as conn:
        todo = details_q.details_due(
            conn,
            ctx.athlete_id,
            first,
            limit=ctx.cfg.enrich_slice + 1,
            settle=timedelta(seconds=ctx.cfg.enrich_settle),
            **scope.as_kwargs(),
        )
    priority = history_priority(len(todo), ctx.cfg.enrich_slice, automatic=scope.automatic)
    for act_id in todo[: ctx.cfg.enrich_slice]:
        if result.details or result.deleted:
            ctx.between_pages()
        detail = ctx.port.detail(
            ctx.token, act_id, priority=priority, all_efforts=ctx.cfg.enrich_all_efforts
        )
        now = ctx.now()
        with ctx.db.transaction() as conn:
            if detail is None:
                result.deleted += len(
                    mirror.apply_deletions(conn, ctx.cfg, ctx.athlete_id, [act_id], now)
                )
            else:
                result.add(
                    mirror.apply_listing(
                        conn, ctx.cfg, ctx.athlete_id, [detail], now, from_detail=True
                    )
                )
                acts.store_detail(conn, act_id, detail, now)
                result.details += 1
            ctx.checkpoint(conn, {})
            stored_at = streams_q.fetched_at(conn, act_id)
        # the detail is kept first: a budget stop before the streams read costs no detail again
        # (the streams are then missing, and fetched alone by a later pass)
        if detail is not None and streams_due(
            ctx.cfg.enrich_streams, stored_at=stored_at, forced_since=scope.forced_since
        ):
            answer = ctx.port.streams(ctx.token, act_id, ctx.cfg.stream_keys, priority=priority)
            with ctx.db.transaction() as conn:
                _keep_streams(ctx, conn, act_id, answer, ctx.now())
    left = ctx.cfg.enrich_slice - len(todo[: ctx.cfg.enrich_slice])
    streams_todo = _streams_only(ctx, scope, left) if ctx.cfg.enrich_streams else []
    finished = len(todo) <= ctx.cfg.enrich_slice and len(streams_todo) <= left
    result.complete = finished
    with ctx.db.transaction() as conn:
        values: dict[str, Any] = {}
        if finished:
            values = {"checkpoint_json": None}
            if scope.automatic:
                values["enrich_pending"] = False
        elif saved.get("mode") == str(Mode.ENRICH) and "started_at" not in saved:
            values = {"checkpoint_json": {**saved, "started_at": first.isoformat()}}
        ctx.checkpoint(conn, values)
        ctx.log(conn, f"enriched {result.details} activities", details=result.details)
    return result


def _keep_streams(
    ctx: PassContext, conn: Connection, act_id: int, answer: Any, now: datetime
) -> None:
    """Store a streams answer; none (404: the activity has no streams) is kept as empty, so
    it is not asked for again."""
    stored = streams_q.store_streams(conn, act_id, ctx.athlete_id, answer or {}, now)
    if stored.refused:
        ctx.log(
            conn,
            f"streams of activity {act_id} too long, not kept: {stored.refused}",
            level="warning",
        )


def _streams_only(ctx: PassContext, scope: EnrichScope, left: int) -> list[int]:
    """Fetch the streams of activities in the scope whose detail came without them (a webhook's
    fetch, or stored before streams were on), ``left`` at most; the ids found (one more than
    fetched when more wait)."""
    with ctx.db.engine.connect() as conn:
        todo = streams_q.streams_missing(
            conn,
            ctx.athlete_id,
            limit=left + 1,
            since=scope.since,
            until=scope.until,
            activity_ids=scope.activity_ids,
        )
    for act_id in todo[:left]:
        ctx.between_pages()
        answer = ctx.port.streams(ctx.token, act_id, ctx.cfg.stream_keys, priority=Priority.ENRICH)
        now = ctx.now()
        with ctx.db.transaction() as conn:
            _keep_streams(ctx, conn, act_id, answer, now)
            ctx.checkpoint(conn, {})
    return todo


def settle_due(ctx: PassContext) -> bool:
    """Does a recent detail wait for its settled re-fetch (checked after each listing)?"""
    now = ctx.now()
    with ctx.db.engine.connect() as conn:
        return bool(
            details_q.details_due(
                conn,
                ctx.athlete_id,
                now,
                limit=1,
                settle=timedelta(seconds=ctx.cfg.enrich_settle),
                since=now - timedelta(seconds=ctx.cfg.enrich_window),
            )
        )
