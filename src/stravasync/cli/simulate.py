"""``stravasync simulate``: serve the Strava API simulator over HTTP (uvicorn)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import typer

from stravasync.cli.common import fail, friendly_errors, settings
from stravasync.clock import Clock, RealClock, ScaledClock, VirtualClock, utcnow

PUMP_EVERY = 0.5  # wall seconds between webhook deliveries in real and scaled time


@friendly_errors
def simulate(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8765, help="Port to bind (0 picks a free one)."),
    athletes: int = typer.Option(50, help="Number of simulated athletes."),
    seed: int = typer.Option(7, help="World seed: same seed, same world."),
    quota: str = typer.Option(
        "default", help="default | standard | extended | unlimited | 'o15,oday,r15,rday'."
    ),
    history_days: int = typer.Option(365, help="Days of history per athlete."),
    speed: float | None = typer.Option(
        None, help="Run simulated time this many times faster than the wall clock."
    ),
    virtual: bool = typer.Option(
        False, "--virtual", help="Virtual time: moves only on POST /_sim/clock."
    ),
    webhook_loss: float = typer.Option(0.0, help="Probability a webhook event is never sent."),
    athlete_capacity: int | None = typer.Option(None, help="Max connected athletes."),
    count_token_requests: bool = typer.Option(
        True, help="Whether POST /oauth/token counts against the rate limits."
    ),
    after_order: str = typer.Option(
        "oldest_first",
        help="Order of GET /athlete/activities with `after` alone: oldest_first or newest_first.",
    ),
    platform: str = typer.Option(
        "2026",
        help="2026: one origin (/api/v3 and /oauth). 2027: the API on its own port without "
        "/api/v3, /oauth/deauthorize retired, tokens only in headers.",
    ),
) -> None:
    """Serve a simulated Strava (API, OAuth, webhooks) with a living, deterministic world."""
    import uvicorn

    from stravasync.simulator import SimConfig, Simulator

    settings()  # logging as configured
    clock: Clock
    if virtual:
        clock = VirtualClock(utcnow())
    elif speed is not None:
        clock = ScaledClock(utcnow(), time.time(), speed)
    else:
        clock = RealClock()
    sim = Simulator(
        SimConfig(
            seed=seed,
            athletes=athletes,
            history_days=history_days,
            quota=quota,
            webhook_loss=webhook_loss,
            athlete_capacity=athlete_capacity,
            count_token_requests=count_token_requests,
            after_order=after_order,
            platform=platform,
        ),
        clock=clock,
    )
    sock = _listen(host, port)
    bound = sock.getsockname()[1]
    base = f"http://{host}:{bound}"
    api_sock = _listen(host, 0) if platform == "2027" else None
    print(f"base URL:      {base}", flush=True)
    if api_sock is not None:
        api_base = f"http://{host}:{api_sock.getsockname()[1]}"
        print(f"API URL:       {api_base}", flush=True)
    print(f"platform:      {platform}", flush=True)
    print(f"client_id:     {sim.client_id}", flush=True)
    print(f"client_secret: {sim.client_secret}", flush=True)
    print("settings for stravasync (paste into a shell):", flush=True)
    print(f"  export STRAVASYNC_STRAVA_BASE_URL={base}", flush=True)
    if api_sock is not None:
        print(f"  export STRAVASYNC_STRAVA_OAUTH_URL={base}", flush=True)
        print(f"  export STRAVASYNC_STRAVA_API_URL={api_base}", flush=True)
    print(f"  export STRAVASYNC_CLIENT_ID={sim.client_id}", flush=True)
    print(f"  export STRAVASYNC_CLIENT_SECRET={sim.client_secret}", flush=True)
    info = sim.clock_info()
    print(f"clock:         {info['mode']}", flush=True)
    if isinstance(clock, ScaledClock):
        print(f"clock origin:  {clock.origin.isoformat()}", flush=True)
        print(f"wall origin:   {clock.wall_origin!r}", flush=True)
        print(f"speed:         {clock.speed!r}", flush=True)
    server = uvicorn.Server(uvicorn.Config(sim.app, log_level="warning", lifespan="off"))
    api_server = None
    if api_sock is not None:
        api_server = uvicorn.Server(
            uvicorn.Config(sim.api_app, log_level="warning", lifespan="off")
        )
        _serve_in_thread(api_server, api_sock)
    stop = threading.Event()

    def started() -> bool:
        return server.started and (api_server is None or api_server.started)

    def announce_and_pump() -> None:
        while not started() and not stop.is_set():
            time.sleep(0.02)
        if started():
            ready = f"ready: simulated Strava at {base} ({athletes} athletes, seed {seed})"
            print(ready, flush=True)
        while not stop.wait(PUMP_EVERY):
            if not virtual:
                sim.pump()

    ticker = threading.Thread(target=announce_and_pump, name="sim-pump", daemon=True)
    ticker.start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises Ctrl-C after its clean shutdown
    finally:
        stop.set()
        if api_server is not None:
            api_server.should_exit = True
        ticker.join(timeout=2)
        sock.close()
        print("simulator stopped", flush=True)


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:  # port taken, address not on this host: one line, no traceback
        sock.close()
        raise fail(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            + (" (another process uses it; pick --port, or 0 for a free one)" if port else ""),
            code=1,
        ) from None
    return sock


def _serve_in_thread(server: Any, sock: socket.socket) -> None:
    """The 2027 API origin: a second uvicorn server on its own port, in a daemon thread."""
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sim-api", daemon=True
    )
    thread.start()
