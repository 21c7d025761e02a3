"""``stravasync auth``: connect an athlete (a personal mirror's one user) and store the tokens.

- ``stravasync auth`` prints the authorize URL, then waits for Strava's redirect on the local
  ``STRAVASYNC_REDIRECT_URI`` port, or (``--no-listen``, or when the port is busy) asks for the
  redirect URL or the code to be pasted.
- ``stravasync auth --code CODE [--scope SCOPES]`` exchanges a code without questions.
- ``stravasync auth --redirect-url URL`` finishes from a copied redirect URL.
- ``stravasync auth disconnect ATHLETE_ID`` revokes the authorization and forgets the tokens.
"""

from __future__ import annotations

import http.server
import threading
from datetime import timedelta
from urllib.parse import urlparse

import typer

from stravasync.cli.common import console, err_console, friendly_errors, open_database, settings
from stravasync.clock import RealClock

app = typer.Typer(help="Connect a Strava athlete and store their tokens (encrypted).")


def _listen(redirect_uri: str, timeout: float) -> str | None:
    """Wait for one request on the redirect URI's port; its full URL, or None (busy/timeout)."""
    parsed = urlparse(redirect_uri)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if urlparse(self.path).path != (parsed.path or "/"):
                self.send_response(404)
                self.end_headers()
                return
            received.append(f"http://{host}:{port}{self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"stravasync received the answer; you can close this tab.\n")

        def log_message(self, format: str, *args: object) -> None:  # no code in logs
            return

    try:
        server = http.server.HTTPServer((host, port), Handler)
    except OSError:
        return None
    server.timeout = 0.5
    done = threading.Event()
    timer = threading.Timer(timeout, done.set)
    timer.start()
    try:
        while not received and not done.is_set():
            server.handle_request()
    finally:
        timer.cancel()
        server.server_close()
    return received[0] if received else None


@app.callback(invoke_without_command=True)
@friendly_errors
def auth(
    ctx: typer.Context,
    code: str | None = typer.Option(None, "--code", help="Exchange this code (no questions)."),
    scope: str | None = typer.Option(
        None, "--scope", help="The scope= value of the redirect, to check the permissions."
    ),
    redirect_url: str | None = typer.Option(
        None, "--redirect-url", help="Finish from the redirect URL copied from the browser."
    ),
    listen: bool = typer.Option(
        True, "--listen/--no-listen", help="Wait for the redirect on the local port."
    ),
    timeout: float = typer.Option(300.0, help="Seconds to wait for the redirect."),
) -> None:
    """Connect a Strava athlete: print the authorize URL and store the tokens encrypted."""
    from stravasync.strava import oauth
    from stravasync.strava.oauth import Redirect
    from stravasync.strava.setup import oauth_origin, scope_policy, strava_client, token_manager

    if ctx.invoked_subcommand is not None:
        return
    cfg = settings()
    db = open_database(cfg)
    clock = RealClock()
    client = strava_client(cfg, db, clock)
    tokens = token_manager(cfg, db, client, clock)
    policy = scope_policy(cfg)
    check_state = True
    if code is not None:
        answer, check_state = Redirect(code=code, state=None, scope=scope, error=None), False
    elif redirect_url is not None:
        answer = oauth.parse_redirect(redirect_url)
        check_state = answer.state is not None  # pasted by the user; a state must be ours
    else:
        state = oauth.begin(db, clock.now())
        url = oauth.authorize_url(
            oauth_origin(cfg),
            client_id=client.client_id,
            redirect_uri=cfg.redirect_uri,
            state=state,
            scopes=policy.scopes,
        )
        console.print("Open this URL in a browser and authorize stravasync:", highlight=False)
        typer.echo(url)
        pasted = _listen(cfg.redirect_uri, timeout) if listen else None
        if pasted is None:
            pasted = typer.prompt("Paste the URL you were redirected to (or just the code)")
        answer = oauth.parse_redirect(pasted)
        if answer.state is None:
            check_state = False  # a bare code: nothing to compare
    athlete_id = oauth.complete(
        db,
        client,
        tokens,
        answer,
        clock.now(),
        check_state=check_state,
        require_private=policy.require_private,
        capacity=cfg.athlete_capacity,
    )
    console.print(f"Connected athlete {athlete_id}; tokens stored encrypted.", highlight=False)
    if answer.scope is None:
        err_console.print(
            "note: the granted permissions were not checked (pass --scope or the full redirect "
            "URL); without 'activity:read_all' private activities are not mirrored",
            highlight=False,
        )


@app.command("disconnect")
@friendly_errors
def disconnect(
    athlete_id: int = typer.Argument(..., help="The Strava athlete id."),
    revoke: bool = typer.Option(
        True, hidden=True, help="Kept for old scripts: POST /oauth/revoke is always used."
    ),
) -> None:
    """Revoke an athlete's authorization on Strava (POST /oauth/revoke) and forget the tokens."""
    from stravasync.strava.setup import strava_client, token_manager

    cfg = settings()
    db = open_database(cfg)
    clock = RealClock()
    client = strava_client(cfg, db, clock)
    now = clock.now()
    purge_at = now + timedelta(days=cfg.sync_purge_grace_days)
    token_manager(cfg, db, client, clock).disconnect(athlete_id, now, purge_at=purge_at)
    del revoke  # accepted for old scripts; revoking is the only way now
    console.print(
        f"Athlete {athlete_id} disconnected (authorization revoked on Strava); tokens deleted; "
        f"their data is purged after {purge_at:%Y-%m-%d %H:%M} UTC.",
        highlight=False,
    )
