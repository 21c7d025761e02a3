"""Pure translation of a Strava error response into a named error (no I/O).

Strava's fault model is ``{"message": ..., "errors": [{"resource", "field", "code"}]}``; bodies
may also be empty or HTML (proxies). 429 and budget handling live in the transport, which
needs the budget; everything else is decided here from status and body alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stravasync.strava.errors import (
    ApplicationInactive,
    AthleteCapacityExceeded,
    InvalidClient,
    InvalidGrant,
    NotFound,
    RequestRejected,
    ScopeMissing,
    StravaError,
    Transient,
    Unauthorized,
)


@dataclass(frozen=True, slots=True)
class Fault:
    message: str
    errors: tuple[tuple[str, str, str], ...]  # (resource, field, code)

    def has(self, *, resource: str | None = None, field: str | None = None) -> bool:
        return any(
            (resource is None or r.lower() == resource.lower())
            and (field is None or f.lower() == field.lower())
            for r, f, _ in self.errors
        )


def parse_fault(body: bytes) -> Fault:
    """The fault in ``body``; an empty fault when it is not Strava's JSON."""
    try:
        data: Any = json.loads(body or b"null")
    except ValueError:
        return Fault(body[:120].decode("utf-8", "replace").strip(), ())
    if not isinstance(data, dict):
        return Fault("", ())
    errors: list[tuple[str, str, str]] = []
    for e in data.get("errors") or []:
        if isinstance(e, dict):
            errors.append(
                (str(e.get("resource", "")), str(e.get("field", "")), str(e.get("code", "")))
            )
    return Fault(str(data.get("message", "")), tuple(errors))


def error_for(
    status: int, body: bytes, *, resource: str, resource_id: int | str | None = None
) -> StravaError:
    """The error for a non-2xx, non-429 response to a request about ``resource``."""
    fault = parse_fault(body)
    text = fault.message or f"HTTP {status}"
    if status >= 500 or status in (408, 425):
        return Transient(status, text)
    if status == 401:
        for _res, fld, _code in fault.errors:
            if fld.endswith("_permission"):
                return ScopeMissing(fld.removesuffix("_permission"))
        if fault.has(resource="Application"):
            return InvalidClient()
        return Unauthorized(None, text)
    if status == 403:
        lowered = text.lower()
        if "limit of connected athletes" in lowered or "capacity" in lowered:
            return AthleteCapacityExceeded(
                f"the application's athlete capacity is reached (Strava: {text})"
            )
        if fault.errors and not fault.has(resource="Application"):
            # a resource this token may not see (another athlete's stats): not the app
            return RequestRejected(status, text)
        return ApplicationInactive(text)
    if status == 404:
        return NotFound(resource, resource_id)
    if status == 400:
        # an unknown client_id: {"resource":"Application","field":"client_id","code":"invalid"}
        if fault.has(resource="Application", field="client_id") or fault.has(
            resource="Application", field="client_secret"
        ):
            return InvalidClient()
        # a bad or used code: resource RequestToken (AuthorizationCode in older reports)
        if fault.has(resource="RequestToken") or fault.has(resource="AuthorizationCode"):
            return InvalidGrant("code")
        if fault.has(field="code"):
            return InvalidGrant("code")
        if fault.has(resource="RefreshToken") or fault.has(field="refresh_token"):
            return InvalidGrant("refresh_token")
    return RequestRejected(status, text)
