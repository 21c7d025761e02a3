"""``stravasync serve | web | worker``: the service's process roles, and ``webhooks``.

- ``serve``: web + engine threads + notifier in one process (the embedded default, SQLite);
  ``STRAVASYNC_SCHEDULER=off`` runs web only.
- ``web``: the HTTP service only; ``worker``: engine threads and the notifier only. Run any
  number of each against PostgreSQL.
SIGTERM (or Ctrl-C) stops accepting requests, lets each engine finish the page or unit in flight
(checkpointed, leases released) and exits.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING

import typer

from stravasync.cli import webhooks
from stravasync.cli.common import friendly_errors, open_database, service_clock, settings
from stravasync.clock import Clock

if TYPE_CHECKING:  # the web app and the engine load when a role starts, not for --help
    from stravasync.config import Settings
    from stravasync.store import Database
    from stravasync.web.operator import Workers

log = logging.getLogger("stravasync.cli.serve")

HOST = typer.Option("127.0.0.1", "--host", help="Interface to bind.")
PORT = typer.Option(8721, "--port", help="TCP port.")
GRACE_SECONDS = 5  # in-flight requests finish in ms; an open SSE stream is cut
CONCURRENCY = typer.Option(1, "--concurrency", min=1, max=64, help="Engine threads.")


def _run_http(
    cfg: Settings,
    db: Database,
    host: str,
    port: int,
    clock: Clock,
    workers: Workers | None,
) -> None:
    import uvicorn

    from stravasync.logsetup import adopt_loggers
    from stravasync.web.app import create_app
    from stravasync.web.connections import (
        BACKLOG,
        ConnectionLimits,
        fit_file_limit,
        protocol_class,
    )
    from stravasync.web.context import Services

    adopt_loggers("uvicorn", "asyncio")  # their errors too: one line a second at most
    limits = ConnectionLimits(
        max_connections=fit_file_limit(cfg.http_max_connections),
        header_timeout=cfg.http_header_timeout,
        body_timeout=cfg.http_body_timeout,
    )

    if workers is not None:
        workers.start()
    services = Services(wake=workers.wake if workers else None)
    app = create_app(cfg, db, clock=clock, services=services)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            access_log=False,
            log_config=None,
            lifespan="off",
            proxy_headers=False,  # uvicorn trusts 127.0.0.1; web.edge trusts configured proxies
            timeout_graceful_shutdown=GRACE_SECONDS,  # open SSE streams must not hold a stop
            http=protocol_class(limits),  # connection cap, header and body deadlines
            backlog=BACKLOG,
            timeout_keep_alive=cfg.http_keepalive_timeout,  # type: ignore[arg-type]
            h11_max_incomplete_event_size=cfg.http_max_header_bytes,
        )
    )
    log.info("serving on http://%s:%s (%s)", host, port, "web only" if workers is None else "all")
    stopped: list[int] = []

    def remember(signum: int, _frame: FrameType | None) -> None:
        # uvicorn re-raises the signal after its graceful stop; note it and exit normally, so
        # the workers below get their turn to finish and release their leases
        stopped.append(signum)

    signal.signal(signal.SIGTERM, remember)
    signal.signal(signal.SIGINT, remember)
    try:
        server.run()
    finally:
        if workers is not None:
            workers.shutdown()
        db.close()


def checked_database(cfg: Settings) -> Database:
    """The database, once the token key is known to read what it stores: a wrong key stops
    the process here with one line, not with a 502 at the first connection or sync."""
    from stravasync.strava.setup import check_token_key

    db = open_database(cfg)
    try:
        check_token_key(cfg, db)
    except BaseException:
        db.close()
        raise
    return db


@friendly_errors
def serve(host: str = HOST, port: int = PORT, concurrency: int = CONCURRENCY) -> None:
    """Run everything in one process: web, engine and notifications."""
    from stravasync.web.operator import Workers

    cfg = settings()
    clock = service_clock(cfg)
    db = checked_database(cfg)
    workers = None
    if not cfg.scheduler:
        log.info("STRAVASYNC_SCHEDULER=off: web only")
    elif not cfg.client_id:
        log.warning("no Strava application configured (STRAVASYNC_CLIENT_ID): web only")
    else:
        workers = Workers(cfg, db, clock, concurrency=concurrency)
    _run_http(cfg, db, host, port, clock, workers)


@friendly_errors
def web(host: str = HOST, port: int = PORT) -> None:
    """Run the HTTP service only (webhooks, OAuth, admin and data API, dashboard)."""
    from stravasync.work import skew

    cfg = settings()
    db, clock = checked_database(cfg), service_clock(cfg)
    skew.SkewWatch(db.engine, clock, cfg.clock_skew_tolerance).current()  # logs a skew
    _run_http(cfg, db, host, port, clock, None)


@friendly_errors
def worker(concurrency: int = CONCURRENCY) -> None:
    """Run engine threads and the notifier only, until SIGTERM."""
    from stravasync.web.operator import Workers

    cfg = settings()
    db = checked_database(cfg)
    workers = Workers(cfg, db, service_clock(cfg), concurrency=concurrency)
    done = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing current work", signal.Signals(signum).name)
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    workers.start()
    done.wait()
    workers.shutdown()
    db.close()


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``web``, ``worker`` and the ``webhooks`` group to the CLI."""
    app.command("serve")(serve)
    app.command("web")(web)
    app.command("worker")(worker)
    app.add_typer(webhooks.app, name="webhooks")
