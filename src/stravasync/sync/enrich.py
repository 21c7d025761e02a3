"""The enrich pass: DetailedActivity (and optionally streams) for the activities whose detail is
due, newest first, one request and one transaction each.

Which details are due is :mod:`stravasync.store.detail_freshness`'s decision (missing, made
stale by a summary change, fetched before the activity settled, or asked for). The scope comes
from the request that started the pass (``syncstate.request_mode`` options, kept in the
checkpoint) or, for the automatic pass, is the recent window ``SYNC_ENRICH_DAYS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from stravasync.clock import as_utc
from stravasync.store import activities as acts
from stravasync.store import details as details_q
from stravasync.store.activity_reads import get_detail
from stravasync.strava.errors import Deferred
from stravasync.strava.ratelimit import Priority
from stravasync.sync import mirror
from stravasync.sync.config import EngineConfig
from stravasync.sync.context import PassContext
from stravasync.sync.plan import Mode
from stravasync.sync.result import PassResult


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
    _owed_streams(ctx, saved, priority)
    for act_id in todo[: ctx.cfg.enrich_slice]:
        if result.details or result.deleted:
            ctx.between_pages()
        detail = ctx.port.detail(
            ctx.token, act_id, priority=priority, all_efforts=ctx.cfg.enrich_all_efforts
        )
        streams = None
        if detail is not None and ctx.cfg.enrich_streams:
            try:
                streams = ctx.port.streams(
                    ctx.token, act_id, ctx.cfg.stream_keys, priority=priority
                )
            except Deferred:
                _keep_detail(ctx, saved, act_id, detail)
                raise
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
                acts.store_detail(conn, act_id, detail, now, streams=streams)
                result.details += 1
            ctx.checkpoint(conn, {})
    finished = len(todo) <= ctx.cfg.enrich_slice
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


def _keep_detail(
    ctx: PassContext, saved: Mapping[str, Any], act_id: int, detail: dict[str, Any]
) -> None:
    """The budget refused the streams after the detail came: keep the detail (a read spent)
    and owe the streams in the checkpoint; the next pass fetches them first. (Dropping the
    detail made a paced budget, one read per pass, fetch the same detail forever.)"""
    now = ctx.now()
    base: dict[str, Any] = {"mode": str(Mode.ENRICH)}
    if saved.get("mode") == str(Mode.ENRICH):
        base = dict(saved)
    base["streams_owed"] = [*base.get("streams_owed", []), act_id]
    with ctx.db.transaction() as conn:
        mirror.apply_listing(conn, ctx.cfg, ctx.athlete_id, [detail], now, from_detail=True)
        acts.store_detail(conn, act_id, detail, now)
        ctx.checkpoint(conn, {"checkpoint_json": base})


def _owed_streams(ctx: PassContext, saved: dict[str, Any], priority: Priority) -> None:
    """Fetch the streams an earlier pass owes (see :func:`_keep_detail`), one checkpoint
    each; ``saved`` loses them as they arrive."""
    for act_id in list(saved.get("streams_owed", [])):
        streams = ctx.port.streams(ctx.token, int(act_id), ctx.cfg.stream_keys, priority=priority)
        now = ctx.now()
        rest = [a for a in saved["streams_owed"] if a != act_id]
        with ctx.db.transaction() as conn:
            stored = get_detail(conn, int(act_id))
            if stored is not None and stored.get("detail_json") is not None:
                acts.store_detail(conn, int(act_id), stored["detail_json"], now, streams=streams)
            saved["streams_owed"] = rest
            if not rest:
                del saved["streams_owed"]
            ctx.checkpoint(conn, {"checkpoint_json": dict(saved)})


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
