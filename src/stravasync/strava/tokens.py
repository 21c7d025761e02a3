"""TokenManager: a valid access token per athlete, refreshed single-flight, never lost.

- An access token within ``margin`` seconds of expiry is refreshed before it is handed out.
- One refresh per athlete at a time, across threads (a lock per athlete in this process) and
  processes (a lock row in ``tokens``: ``refresh_owner`` + ``refresh_lock_until``). A second
  caller waits for the first and reuses its result: it never sends a refresh of its own.
- Strava rotates refresh tokens: the new pair is COMMITTED in its own short transaction as
  soon as the answer is read (before the budget's reconcile or the profile), so a crash after
  the answer loses nothing. What remains (issue 25): a crash during the round trip itself, once
  Strava has rotated and before its answer arrives, loses the new pair (the athlete must
  reconnect); nothing on our side can close that window.
- After a rejected refresh (the athlete becomes ``reconnect_needed``) every waiting caller, in
  this process or another, gives up without sending one of its own: one 400 per athlete.
- An invalid refresh token (revoked, deauthorized) marks the athlete ``reconnect_needed`` (shown
  by ``stravasync status``; the planner stops syncing them) and raises :class:`TokenRevoked`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection

from stravasync.clock import Clock, from_epoch
from stravasync.store import Database
from stravasync.store.pending import jobs as jobs_q
from stravasync.store.pending import outbox
from stravasync.store.people import athletes as athlete_q
from stravasync.store.people import tokens as token_q
from stravasync.strava.client import StravaClient
from stravasync.strava.crypto import TokenCipher
from stravasync.strava.errors import (
    InvalidGrant,
    NotConnected,
    StravaError,
    TokenRevoked,
    Transient,
)
from stravasync.strava.models import TokenResponse
from stravasync.strava.profile import athlete_profile
from stravasync.strava.quota.ratelimit import Priority

log = logging.getLogger(__name__)


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class TokenManager:
    def __init__(
        self,
        *,
        db: Database,
        client: StravaClient,
        cipher: TokenCipher,
        clock: Clock,
        margin: float = 600.0,
        lock_ttl: float = 120.0,
        wait_timeout: float = 60.0,
        poll_interval: float = 0.05,
        owner: str | None = None,
        notify: bool = False,
    ) -> None:
        """``margin``, ``lock_ttl``: seconds of (virtual) clock time; ``wait_timeout`` and
        ``poll_interval``: real seconds a caller waits for another process's refresh.
        ``notify``: an athlete this manager marks reconnect_needed or deauthorized also gets
        its notification to the owning app, in the same transaction as the status."""
        self.db = db
        self.client = client
        self.cipher = cipher
        self.clock = clock
        self.margin = timedelta(seconds=margin)
        self.lock_ttl = timedelta(seconds=lock_ttl)
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.owner = owner or default_owner()
        self.notify = notify
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # --- public ------------------------------------------------------------------------------

    def access_token(
        self,
        athlete_id: int,
        now: datetime | None = None,
        *,
        priority: Priority = Priority.INTERACTIVE,
    ) -> str:
        """A valid access token for ``athlete_id``, refreshed first if it expires soon.

        Raises NotConnected, TokenRevoked, or the client's errors (BudgetExhausted, Transient)
        when a needed refresh cannot be done now.
        """
        now = now or self.clock.now()
        row = self._read(athlete_id)
        if self._fresh(row, now):
            return self.cipher.decrypt(row.access_token_enc)
        with self._local_lock(athlete_id):
            return self._refresh(athlete_id, priority, force_from=None)

    def handle_unauthorized(
        self, athlete_id: int, failed_token: str, *, priority: Priority = Priority.INTERACTIVE
    ) -> str:
        """After a 401 with ``failed_token``: the token to retry with, or TokenRevoked.

        Refreshed, unless another caller already replaced ``failed_token``. Strava hands back
        the same token while it has over an hour left, so the answer may be ``failed_token``.
        """
        with self._local_lock(athlete_id):
            return self._refresh(athlete_id, priority, force_from=failed_token)

    def confirm_revoked(self, athlete_id: int, *, priority: Priority = Priority.WEBHOOK) -> bool:
        """Ask Strava whether the athlete's authorization is gone: one refresh, always sent.

        A deauthorization event is not signed, so it only says "ask". True when Strava refuses
        the stored refresh token (invalid grant) and nobody rotated it meanwhile; False when
        Strava hands out a token (saved, as after any refresh) or the athlete has no token to
        ask with. The athlete's status is left to the caller. Budget and transient errors
        propagate: ask again later.
        """
        with self._local_lock(athlete_id):
            for _ in range(3):
                row = self._lock_row(athlete_id)
                if row is None:
                    return False
                try:
                    token = self.client.refresh(
                        self.cipher.decrypt(row.refresh_token_enc),
                        priority=priority,
                        on_receipt=lambda new: self._commit_pair(athlete_id, new),
                    )
                except InvalidGrant:
                    with self.db.transaction() as conn:
                        current = token_q.get(conn, athlete_id)
                        token_q.release(conn, athlete_id, self.owner)
                    if current is None or current.refresh_token_enc == row.refresh_token_enc:
                        return True
                    continue  # rotated by a process whose lock outlived ours: ask with theirs
                except BaseException:
                    with self.db.transaction() as conn:
                        token_q.release(conn, athlete_id, self.owner)
                    raise
                self._save_profile(athlete_id, token)
                return False
        raise Transient(0, f"refresh token of athlete {athlete_id} kept rotating")

    def store_new(self, token: TokenResponse, now: datetime, *, scope: str | None = None) -> int:
        """Save tokens from a code exchange (creating or reactivating the athlete); their id."""
        if token.athlete is None:
            raise InvalidGrant("code")
        athlete_id = token.athlete.id
        with self.db.transaction() as conn:
            athlete_q.upsert_athlete(
                conn,
                athlete_id=athlete_id,
                profile=athlete_profile(token.raw.get("athlete")),
                scopes=scope or "",
                now=now,
            )
            self._save(conn, athlete_id, token, now, scope=scope or "")
        log.info("stored tokens", extra={"athlete_id": athlete_id})
        return athlete_id

    def disconnect(
        self,
        athlete_id: int,
        now: datetime,
        *,
        purge_at: datetime | None = None,
        reason: str = "disconnected by the operator",
    ) -> None:
        """Withdraw the authorization on Strava (``POST /oauth/revoke`` with the refresh token:
        both tokens die), then forget the tokens; athlete 'deauthorized'. ``purge_at``: when
        their data is purged (a purge job, as after a revocation on Strava)."""
        row = self._read(athlete_id)
        self.client.revoke(self.cipher.decrypt(row.refresh_token_enc))
        with self.db.transaction() as conn:
            token_q.remove(conn, athlete_id)
            athlete_q.set_status(conn, athlete_id, "deauthorized", reason=reason, now=now)
            self._notify_status(conn, athlete_id, "athlete.deauthorized", reason, now)
            if purge_at is not None:
                athlete_q.set_purge_after(conn, athlete_id, purge_at, now=now)
                jobs_q.enqueue(
                    conn,
                    kind="purge",
                    athlete_id=athlete_id,
                    dedupe_key=f"purge:{athlete_id}:{int(purge_at.timestamp())}",
                    due_at=purge_at,
                    now=now,
                )

    def revoke_held(self, athlete_id: int) -> bool:
        """Before a purge: revoke a token still stored for the athlete (whatever their status),
        so nothing this app held stays valid on Strava. True when one was revoked; a failure
        is logged and the purge goes on (the token row is deleted with the rest)."""
        with self.db.engine.connect() as conn:
            row = token_q.get(conn, athlete_id)
        if row is None:
            return False
        try:
            self.client.revoke(self.cipher.decrypt(row.refresh_token_enc))
        except StravaError as exc:
            log.warning(
                "could not revoke the token held before the purge: %s",
                type(exc).__name__,
                extra={"athlete_id": athlete_id},
            )
            return False
        return True

    # --- internals ---------------------------------------------------------------------------

    def _notify_status(
        self, conn: Connection, athlete_id: int, event: str, reason: str, now: datetime
    ) -> None:
        if self.notify:
            payload = {"athlete_id": athlete_id, "reason": reason}
            outbox.enqueue(
                conn, event=event, athlete_id=athlete_id, activity_id=None, payload=payload, now=now
            )

    def _read(self, athlete_id: int) -> token_q.StoredToken:
        with self.db.engine.connect() as conn:
            row = token_q.get(conn, athlete_id)
            athlete = athlete_q.get_athlete(conn, athlete_id)
        if row is None:
            raise NotConnected(athlete_id)
        if athlete is not None and athlete["status"] in ("reconnect_needed", "deauthorized"):
            raise TokenRevoked(athlete_id, athlete.get("status_reason") or "reconnect needed")
        return row

    def _fresh(self, row: token_q.StoredToken, now: datetime) -> bool:
        return row.expires_at - now > self.margin

    def _local_lock(self, athlete_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(athlete_id, threading.Lock())

    def _refresh(self, athlete_id: int, priority: Priority, force_from: str | None) -> str:
        deadline = time.monotonic() + self.wait_timeout
        while True:
            now = self.clock.now()
            with self.db.transaction() as conn:
                # Lock first, then read: on PostgreSQL (read committed) a row read before the
                # UPDATE could predate another process's refresh that committed in between.
                locked = token_q.try_lock(
                    conn, athlete_id, self.owner, now=now, until=now + self.lock_ttl
                )
                row = token_q.get(conn, athlete_id)
                if row is None:
                    raise NotConnected(athlete_id)
                gone = _lost_reason(conn, athlete_id)
                if gone is not None:  # a refresh already rejected: do not send another
                    raise TokenRevoked(athlete_id, gone)  # (rolled back: our lock too)
                current = self.cipher.decrypt(row.access_token_enc)
                if (force_from is None and self._fresh(row, now)) or (
                    force_from is not None and current != force_from
                ):
                    # somebody refreshed or replaced it while we waited
                    if locked:
                        token_q.release(conn, athlete_id, self.owner)
                    return current
            if locked:
                break
            if time.monotonic() > deadline:
                raise Transient(0, f"waited too long for the token refresh of athlete {athlete_id}")
            time.sleep(self.poll_interval)
        return self._refresh_locked(athlete_id, row, priority)

    def _lock_row(self, athlete_id: int) -> token_q.StoredToken | None:
        """Take the athlete's refresh lock (waiting for another holder); their tokens then,
        None when there are none."""
        deadline = time.monotonic() + self.wait_timeout
        while True:
            now = self.clock.now()
            with self.db.transaction() as conn:
                locked = token_q.try_lock(
                    conn, athlete_id, self.owner, now=now, until=now + self.lock_ttl
                )
                row = token_q.get(conn, athlete_id)
            if row is None or locked:
                return row
            if time.monotonic() > deadline:
                raise Transient(0, f"waited too long for the token refresh of athlete {athlete_id}")
            time.sleep(self.poll_interval)

    def _refresh_locked(self, athlete_id: int, row: token_q.StoredToken, priority: Priority) -> str:
        try:
            token = self.client.refresh(
                self.cipher.decrypt(row.refresh_token_enc),
                priority=priority,
                on_receipt=lambda new: self._commit_pair(athlete_id, new),
            )
        except InvalidGrant:
            return self._refresh_rejected(athlete_id, row, priority)
        except BaseException:
            with self.db.transaction() as conn:
                token_q.release(conn, athlete_id, self.owner)
            raise
        self._save_profile(athlete_id, token)
        log.info("refreshed access token", extra={"athlete_id": athlete_id})
        return token.access_token

    def _commit_pair(self, athlete_id: int, token: TokenResponse) -> None:
        """The rotated pair, committed alone the moment it arrives (and our lock released):
        Strava has already invalidated the refresh token we sent."""
        access_enc = self.cipher.encrypt(token.access_token)
        refresh_enc = self.cipher.encrypt(token.refresh_token)
        with self.db.transaction() as conn:
            token_q.save(
                conn,
                athlete_id,
                access_enc=access_enc,
                refresh_enc=refresh_enc,
                expires_at=from_epoch(token.expires_at),
                scope=None,
                now=self.clock.now(),
                release_owner=self.owner,
            )

    def _save_profile(self, athlete_id: int, token: TokenResponse) -> None:
        """The athlete a refresh answer may carry, after its pair is safe."""
        if token.athlete is not None and token.athlete.id == athlete_id:
            with self.db.transaction() as conn:
                athlete_q.update_profile(
                    conn,
                    athlete_id,
                    athlete_profile(token.raw.get("athlete")),
                    now=self.clock.now(),
                )

    def _refresh_rejected(
        self, athlete_id: int, row: token_q.StoredToken, priority: Priority
    ) -> str:
        now = self.clock.now()
        with self.db.transaction() as conn:
            current = token_q.get(conn, athlete_id)
            token_q.release(conn, athlete_id, self.owner)
            rotated = current is not None and current.refresh_token_enc != row.refresh_token_enc
            if not rotated:
                reason = "Strava rejected the refresh token (access revoked?)"
                athlete_q.set_status(conn, athlete_id, "reconnect_needed", reason=reason, now=now)
                self._notify_status(conn, athlete_id, "athlete.reconnect_needed", reason, now)
        if rotated:  # another process refreshed while our lock had expired: use theirs
            return self._refresh(athlete_id, priority, force_from=None)
        log.warning(
            "refresh token rejected: athlete must reconnect", extra={"athlete_id": athlete_id}
        )
        raise TokenRevoked(athlete_id)

    def _save(
        self,
        conn: Connection,
        athlete_id: int,
        token: TokenResponse,
        now: datetime,
        *,
        scope: str | None,
    ) -> None:
        if token.athlete is not None and token.athlete.id == athlete_id:  # a refresh may carry it
            athlete_q.update_profile(
                conn, athlete_id, athlete_profile(token.raw.get("athlete")), now=now
            )
        token_q.save(
            conn,
            athlete_id,
            access_enc=self.cipher.encrypt(token.access_token),
            refresh_enc=self.cipher.encrypt(token.refresh_token),
            expires_at=from_epoch(token.expires_at),
            scope=scope,
            now=now,
        )


def _lost_reason(conn: Connection, athlete_id: int) -> str | None:
    """Why the athlete's tokens may no longer be refreshed (a refresh was rejected, or they
    disconnected), or None."""
    athlete = athlete_q.get_athlete(conn, athlete_id)
    if athlete is None or athlete["status"] not in ("reconnect_needed", "deauthorized"):
        return None
    return str(athlete.get("status_reason") or "reconnect needed")
