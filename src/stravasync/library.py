"""The library API: a mirror embedded in your own program, without the service or the CLI.

    from stravasync import Mirror

    with Mirror.open("sqlite:///mirror.db", client_id="123", client_secret="...") as mirror:
        athlete_id = mirror.connect_code(code)    # the code from Strava's OAuth redirect
        mirror.sync()                             # until nothing is due (a cron-friendly burst)
        for activity in mirror.activities(athlete_id, since=datetime(2026, 1, 1, tzinfo=UTC)):
            print(activity.start_date, activity.name, activity.distance)
        print(mirror.stats(athlete_id)["eddington"])

Settings not passed here come from the environment and ``.env``, as everywhere
(:mod:`stravasync.config`); passing ``http`` (an httpx client, e.g. a simulator's in-process
client) and ``clock`` lets a test drive it in virtual time. See docs/library.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from stravasync.config import Settings, load_settings

if TYPE_CHECKING:
    import httpx

    from stravasync.clock import Clock
    from stravasync.export import TrackFile
    from stravasync.store import Database
    from stravasync.sync import Engine

MAX_PAGE = 1000  # activities per call of :meth:`Mirror.activities`


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one :meth:`Mirror.sync` did (units of work by outcome, Strava requests)."""

    synced: int
    skipped: int
    deferred: int
    failed: int
    api_calls: int


@dataclass(frozen=True, slots=True)
class Activity:
    """One mirrored activity (Strava's SummaryActivity fields; ``raw`` holds all of them)."""

    id: int
    athlete_id: int
    name: str
    sport_type: str
    start_date: datetime
    distance: float
    moving_time: int
    elapsed_time: int
    total_elevation_gain: float
    private: bool
    raw: dict[str, Any]
    gear_id: str | None = None
    gear_name: str | None = None  # None until the gear was read from Strava


@dataclass(frozen=True, slots=True)
class Gear:
    """A bike (``kind`` ``bike``, id ``b123``) or pair of shoes (``shoe``, ``g123``), as Strava
    last described it. ``distance`` is Strava's, in metres; ``retired`` gear is no longer in
    the athlete's list but still on activities."""

    id: str
    kind: str
    name: str | None
    brand: str | None
    model: str | None
    description: str | None
    distance: float | None
    is_primary: bool
    retired: bool
    refreshed_at: datetime


@dataclass(frozen=True, slots=True)
class OriginalFile:
    """An activity's original FIT/GPX/TCX file, bytes as the export held them (``compression``
    ``gzip``: still gzipped; ``media_type`` is that of the uncompressed file)."""

    name: str  # stable: <activity id>.<fit|gpx|tcx>[.gz]
    media_type: str
    compression: str | None
    sha256: str
    data: bytes


def _activity(row: dict[str, Any], gear_names: dict[str, str]) -> Activity:
    return Activity(
        id=int(row["id"]),
        athlete_id=int(row["athlete_id"]),
        name=str(row["name"] or ""),
        sport_type=str(row["sport_type"] or ""),
        start_date=row["start_date"],
        distance=float(row["distance"] or 0.0),
        moving_time=int(row["moving_time"] or 0),
        elapsed_time=int(row["elapsed_time"] or 0),
        total_elevation_gain=float(row["total_elevation_gain"] or 0.0),
        private=bool(row["private"]),
        raw=dict(row["summary_json"] or {}),
        gear_id=row["gear_id"],
        gear_name=gear_names.get(row["gear_id"] or ""),
    )


class Mirror:
    """A local mirror of Strava activities: connect athletes, sync, read. Close it (or use
    ``with``) to release the database engine."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        http: httpx.Client | None = None,
    ) -> None:
        self.settings = settings
        self._db = db
        self._clock = clock
        self._http = http
        self._engine: Engine | None = None

    @classmethod
    def open(
        cls,
        database_url: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        strava_base_url: str | None = None,
        http: httpx.Client | None = None,
        clock: Clock | None = None,
        **settings: Any,
    ) -> Mirror:
        """Open (and migrate) the database. ``settings``: any other setting by its name in
        :class:`stravasync.config.Settings` (e.g. ``secret_key``, ``sync_enrich=False``); an
        invalid value raises :class:`stravasync.errors.ConfigError` naming it."""
        given = {
            "database_url": database_url,
            "client_id": client_id,
            "client_secret": client_secret,
            "strava_base_url": strava_base_url,
        }
        cfg = load_settings(**{k: v for k, v in given.items() if v is not None}, **settings)
        from stravasync.clock import RealClock
        from stravasync.store import Database

        db = Database.open(cfg.database_url, echo=cfg.database_echo)
        return cls(cfg, db, clock or RealClock(), http)

    # --- the engine (built on first use: reading needs no Strava application) -------------
    def _sync_engine(self) -> Engine:
        if self._engine is None:
            from stravasync.strava.setup import check_token_key
            from stravasync.sync import build_engine

            check_token_key(self.settings, self._db)
            self._engine = build_engine(
                self.settings, self._db, self._clock, http=self._http, trigger="library"
            )
        return self._engine

    def connect_code(self, code: str, *, scope: str | None = None) -> int:
        """Exchange an OAuth code for tokens (stored encrypted); returns the athlete's id.

        ``scope``: the ``scope`` parameter of the redirect, checked before the code is spent
        (a connection without ``activity:read_all`` is refused unless
        ``require_private_scope=False``)."""
        from stravasync.strava import oauth
        from stravasync.strava.setup import scope_policy

        engine = self._sync_engine()
        if not code or len(code) > 512:
            raise ValueError("an authorization code has 1 to 512 characters")
        answer = oauth.Redirect(code=code, state=None, scope=scope, error=None)
        return oauth.complete(
            self._db,
            engine.port.client,
            engine.tokens,  # type: ignore[arg-type]
            answer,
            self._clock.now(),
            check_state=False,
            require_private=scope_policy(self.settings).require_private,
            capacity=self.settings.athlete_capacity,
        )

    def sync(
        self,
        *,
        until_idle: bool = True,
        athlete_id: int | None = None,
        deadline: float | None = None,
        max_calls: int | None = None,
    ) -> SyncReport:
        """Work until nothing is due now (or one unit when ``until_idle=False``), within the
        shared rate budget; ``deadline`` seconds and ``max_calls`` bound the run."""
        report = self._sync_engine().run_until_idle(
            deadline=deadline,
            max_calls=max_calls,
            athlete_id=athlete_id,
            max_units=None if until_idle else 1,
        )
        return SyncReport(
            synced=report.synced,
            skipped=report.skipped,
            deferred=report.deferred,
            failed=report.failed,
            api_calls=report.api_calls,
        )

    # --- reading ---------------------------------------------------------------------------
    def athletes(self) -> list[int]:
        """Ids of the connected athletes."""
        from sqlalchemy import select

        from stravasync.store.schema import athletes

        with self._db.engine.connect() as conn:
            stmt = select(athletes.c.id).where(athletes.c.status == "active").order_by("id")
            return [int(i) for i in conn.execute(stmt).scalars()]

    def activities(
        self,
        athlete_id: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        sport: str | None = None,
        limit: int = MAX_PAGE,
    ) -> list[Activity]:
        """Live activities started in [since, until), newest id first, at most ``limit``
        (1..1000). Dates must be timezone-aware."""
        from stravasync.store.mirror import activity_reads
        from stravasync.store.mirror import gear as gear_q

        for name, value in (("since", since), ("until", until)):
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
        with self._db.engine.connect() as conn:
            rows = activity_reads.list_activities(
                conn, athlete_id, since=since, until=until, sport=sport, limit=limit
            )
            names = gear_q.names(conn, athlete_id, (r["gear_id"] for r in rows))
        return [_activity(r, names) for r in rows]

    def gear(self, athlete_id: int) -> list[Gear]:
        """The athlete's bikes and shoes (retired ones too): bikes first, current first."""
        from stravasync.store.mirror import gear as gear_q

        with self._db.engine.connect() as conn:
            rows = gear_q.for_athlete(conn, athlete_id)
        fields = Gear.__dataclass_fields__
        return [Gear(**{k: v for k, v in r.items() if k in fields}) for r in rows]

    def stats(self, athlete_id: int) -> dict[str, Any]:
        """Eddington numbers, rollups, races and records (the data API's stats document)."""
        from stravasync.stats.service import athlete_stats

        with self._db.engine.connect() as conn:
            return athlete_stats(conn, athlete_id)

    def original(self, activity_id: int) -> OriginalFile | None:
        """The activity's original device file from an imported account export, or None."""
        from stravasync.store.mirror import activity_reads
        from stravasync.store.mirror.originals import get_original

        with self._db.engine.connect() as conn:
            if activity_reads.get_activity(conn, activity_id) is None:
                return None
            found = get_original(conn, activity_id)
        if found is None:
            return None
        info = found.info
        return OriginalFile(
            name=info.file_name,
            media_type=info.media_type,
            compression=info.compression,
            sha256=info.sha256,
            data=found.data,
        )

    def gpx(self, activity_id: int) -> TrackFile | None:
        """The activity's track as GPX 1.1, or None (unknown, deleted, or no track).

        Built from its streams, else from its polyline (positions only): ``source`` says
        which; ``data`` is the file, ``name`` its stable name (``<date>_<id>.gpx``)."""
        return self._track(activity_id, "gpx")

    def tcx(self, activity_id: int) -> TrackFile | None:
        """The activity's track as TCX (Training Center Database v2), as :meth:`gpx`."""
        return self._track(activity_id, "tcx")

    def _track(self, activity_id: int, fmt: str) -> TrackFile | None:
        from stravasync.export import track_file

        with self._db.engine.connect() as conn:
            return track_file(conn, activity_id, "gpx" if fmt == "gpx" else "tcx")

    # --- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
