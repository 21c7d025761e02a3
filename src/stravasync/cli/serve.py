"""``stravasync serve | web | worker``: the service's process roles, and ``webhooks``.

- ``serve``: web + engine threads + notifier in one process (the embedded default, SQLite);
  ``STRAVASYNC_SCHEDULER=off`` runs web only.
- ``web``: the HTTP service only; ``worker``: engine threads and the notifier only. Run any
  number of each against PostgreSQL.
SIGTERM (or Ctrl-C) stops accepting requests, lets each engine finish its current burst
(checkpointed, leases released) and exits.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import typer
import uvicorn

from stravasync.cli import webhooks
from stravasync.cli.common import friendly_errors, open_database, settings
from stravasync.clock import RealClock
from stravasync.web.app import create_app
from stravasync.web.context import Services
from stravasync.web.workers import Workers

log = logging.getLogger("stravasync.cli.serve")

HOST = typer.Option("127.0.0.1", "--host", help="Interface to bind.")
PORT = typer.Option(8721, "--port", help="TCP port.")
CONCURRENCY = typer.Option(1, "--concurrency", min=1, max=64, help="Engine threads.")


def _run_http(cfg_host: str, port: int, workers: Workers | None, *, web_only: bool) -> None:
    cfg = settings()
    db = open_database(cfg)
    clock = RealClock()
    if workers is not None:
        workers.start()
    app = create_app(
        cfg, db, clock=clock, services=Services(wake=workers.wake if workers else None)
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=cfg_host, port=port, access_log=False, log_config=None, lifespan="off"
        )
    )
    log.info("serving on http://%s:%s (%s)", cfg_host, port, "web only" if web_only else "all")
    try:
        server.run()
    finally:
        if workers is not None:
            workers.shutdown()
        db.close()


@friendly_errors
def serve(host: str = HOST, port: int = PORT, concurrency: int = CONCURRENCY) -> None:
    """Run everything in one process: web, engine and notifications."""
    cfg = settings()
    workers = None
    if not cfg.scheduler:
        log.info("STRAVASYNC_SCHEDULER=off: web only")
    elif not cfg.client_id:
        log.warning("no Strava application configured (STRAVASYNC_CLIENT_ID): web only")
    else:
        workers = Workers(cfg, open_database(cfg), RealClock(), concurrency=concurrency)
    _run_http(host, port, workers, web_only=workers is None)


@friendly_errors
def web(host: str = HOST, port: int = PORT) -> None:
    """Run the HTTP service only (webhooks, OAuth, admin and data API, dashboard)."""
    _run_http(host, port, None, web_only=True)


@friendly_errors
def worker(concurrency: int = CONCURRENCY) -> None:
    """Run engine threads and the notifier only, until SIGTERM."""
    cfg = settings()
    workers = Workers(cfg, open_database(cfg), RealClock(), concurrency=concurrency)
    done = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing current work", signal.Signals(signum).name)
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    workers.start()
    done.wait()
    workers.shutdown()


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``web``, ``worker`` and the ``webhooks`` group to the CLI."""
    app.command("serve")(serve)
    app.command("web")(web)
    app.command("worker")(worker)
    app.add_typer(webhooks.app, name="webhooks")
