"""OAuth state: authorization codes, access and refresh tokens, with Strava's exact rules.

Access tokens live ``token_ttl`` (6 h). A refresh while the newest access token has more than an
hour left returns that same token; otherwise a new one (the old stays valid until it expires) and,
with rotation, a new refresh token that invalidates the old one at once. Deauthorization kills
every token of the athlete. Times are epoch seconds.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from stravasync.simulator.content.rng import stable_int
from stravasync.simulator.errors import CapacityExceeded
from stravasync.simulator.responses import code_invalid, refresh_invalid, token_invalid

SCOPES = (
    "read",
    "read_all",
    "profile:read_all",
    "profile:write",
    "activity:read",
    "activity:read_all",
    "activity:write",
)


def parse_scope(text: str | None) -> frozenset[str]:
    """Known scopes in a comma/space list; ``read`` is always granted."""
    parts = {p.strip() for p in (text or "").replace(" ", ",").split(",")}
    return frozenset({p for p in parts if p in SCOPES} | {"read"})


def scope_text(scope: frozenset[str]) -> str:
    return ",".join(s for s in SCOPES if s in scope)


@dataclass
class Grant:
    athlete_id: int
    scope: frozenset[str]
    expires_at: int
    used: bool = False


@dataclass
class AccessToken:
    token: str
    athlete_id: int
    scope: frozenset[str]
    expires_at: int
    revoked: bool = False

    def valid(self, now: int) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class Authorization:
    athlete_id: int
    scope: frozenset[str]
    since: int
    refresh_token: str
    access_token: str


@dataclass(frozen=True)
class Issued:
    access: AccessToken
    refresh_token: str


class OAuthState:
    """All tokens of the one simulated application. Thread-safe."""

    def __init__(
        self, seed: int, *, token_ttl: int, code_ttl: int, rotate: bool, capacity: int | None
    ) -> None:
        self._rng = random.Random(stable_int(seed, "tokens"))
        self.token_ttl = token_ttl
        self.code_ttl = code_ttl
        self.rotate = rotate
        self.capacity = capacity
        self.codes: dict[str, Grant] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, int] = {}  # refresh token -> athlete id (valid ones only)
        self.auth: dict[int, Authorization] = {}
        self._lock = threading.RLock()

    def _token(self) -> str:
        return f"{self._rng.getrandbits(160):040x}"

    def connected(self) -> dict[int, int]:
        """Athlete id -> epoch since which they are connected."""
        with self._lock:
            return {a: z.since for a, z in self.auth.items()}

    def scope_of(self, athlete_id: int) -> frozenset[str]:
        """The scope the athlete granted (empty when not connected)."""
        with self._lock:
            auth = self.auth.get(athlete_id)
            return auth.scope if auth is not None else frozenset()

    def issue_code(self, athlete_id: int, scope: frozenset[str], now: int) -> str:
        with self._lock:
            if (
                self.capacity is not None
                and athlete_id not in self.auth
                and len(self.auth) >= self.capacity
            ):
                raise CapacityExceeded(self.capacity)
            code = self._token()
            self.codes[code] = Grant(athlete_id, scope, now + self.code_ttl)
            return code

    def exchange(self, code: str, now: int) -> tuple[Issued, frozenset[str]]:
        """authorization_code grant. Raises :class:`ApiError` 400 for a bad or reused code."""
        with self._lock:
            grant = self.codes.get(code)
            if grant is None or grant.used or now >= grant.expires_at:
                raise code_invalid()
            grant.used = True
            if (
                self.capacity is not None
                and grant.athlete_id not in self.auth
                and len(self.auth) >= self.capacity
            ):
                raise code_invalid()
            old = self.auth.get(grant.athlete_id)
            if old is not None:
                self.refresh.pop(old.refresh_token, None)
            access = self._new_access(grant.athlete_id, grant.scope, now)
            refresh = self._token()
            self.refresh[refresh] = grant.athlete_id
            since = old.since if old is not None else now
            self.auth[grant.athlete_id] = Authorization(
                grant.athlete_id, grant.scope, since, refresh, access.token
            )
            return Issued(access, refresh), grant.scope

    def _new_access(self, athlete_id: int, scope: frozenset[str], now: int) -> AccessToken:
        access = AccessToken(self._token(), athlete_id, scope, now + self.token_ttl)
        self.access[access.token] = access
        return access

    def refresh_grant(self, refresh_token: str, now: int) -> Issued:
        """refresh_token grant. Raises :class:`ApiError` 400 for a revoked or outdated token."""
        with self._lock:
            athlete_id = self.refresh.get(refresh_token)
            auth = self.auth.get(athlete_id) if athlete_id is not None else None
            if auth is None or auth.refresh_token != refresh_token:
                raise refresh_invalid()
            current = self.access.get(auth.access_token)
            if current is not None and current.valid(now) and current.expires_at - now > 3600:
                return Issued(current, refresh_token)
            access = self._new_access(auth.athlete_id, auth.scope, now)
            auth.access_token = access.token
            if self.rotate:
                del self.refresh[refresh_token]
                auth.refresh_token = self._token()
                self.refresh[auth.refresh_token] = auth.athlete_id
            return Issued(access, auth.refresh_token)

    def check(self, token: str | None, now: int) -> AccessToken:
        """The valid access token, or :class:`ApiError` 401."""
        with self._lock:
            found = self.access.get(token or "")
            if found is None or not found.valid(now):
                raise token_invalid()
            return found

    def deauthorize(self, athlete_id: int) -> bool:
        """Kill every token of the athlete. True if they were connected."""
        with self._lock:
            for tok in self.access.values():
                if tok.athlete_id == athlete_id:
                    tok.revoked = True
            for rt in [r for r, a in self.refresh.items() if a == athlete_id]:
                del self.refresh[rt]
            return self.auth.pop(athlete_id, None) is not None

    def revoke(self, token: str) -> int | None:
        """``POST /oauth/revoke``: revoking either token (access or refresh) revokes both and
        ends the authorization, as Strava documents.

        Returns the athlete whose authorization ended (None for an unknown token)."""
        with self._lock:
            athlete_id = self.refresh.get(token)
            if athlete_id is None and token in self.access:
                access = self.access[token]
                access.revoked = True
                if access.athlete_id not in self.auth:
                    return None  # the authorization had already ended
                athlete_id = access.athlete_id
            if athlete_id is not None:
                self.deauthorize(athlete_id)
            return athlete_id
