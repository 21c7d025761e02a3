"""Strava's error bodies (the Fault model ``{message, errors: [{resource, field, code}]}``)."""

from __future__ import annotations

from typing import Any

from stravasync.simulator.errors import SimulatorError


def fault(message: str, resource: str, field: str, code: str) -> dict[str, Any]:
    return {"message": message, "errors": [{"resource": resource, "field": field, "code": code}]}


class ApiError(SimulatorError):
    """A documented Strava error response: ``status`` and JSON ``body``."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body.get('message')}")
        self.status = status
        self.body = body


RATE_LIMITED = {
    "message": "Rate Limit Exceeded",
    "errors": [{"resource": "Application", "field": "rate limit", "code": "exceeded"}],
}


def token_invalid() -> ApiError:
    return ApiError(401, fault("Authorization Error", "Athlete", "access_token", "invalid"))


def scope_missing(field: str = "activity:read_permission") -> ApiError:
    return ApiError(401, fault("Authorization Error", "AccessToken", field, "missing"))


def code_invalid() -> ApiError:
    return ApiError(400, fault("Bad Request", "RequestToken", "code", "invalid"))


def refresh_invalid() -> ApiError:
    return ApiError(400, fault("Bad Request", "RefreshToken", "refresh_token", "invalid"))


def client_invalid() -> ApiError:
    """A wrong client secret (401)."""
    return ApiError(401, fault("Authorization Error", "Application", "", "invalid"))


def client_id_invalid() -> ApiError:
    """An unknown client id (400, as Strava answers it)."""
    return ApiError(400, fault("Bad Request", "Application", "client_id", "invalid"))


def check_client(params: dict[str, str], client_id: str, client_secret: str) -> None:
    """The application's credentials in ``params``: 400 for an unknown id, 401 for a wrong
    secret."""
    if params.get("client_id") != client_id:
        raise client_id_invalid()
    if params.get("client_secret") != client_secret:
        raise client_invalid()


def not_found(resource: str = "Activity") -> ApiError:
    return ApiError(404, fault("Record Not Found", resource, "id", "invalid"))


def forbidden(resource: str = "Athlete") -> ApiError:
    return ApiError(403, fault("Forbidden", resource, "id", "forbidden"))


def bad_param(field: str) -> ApiError:
    return ApiError(400, fault("Bad Request", "Application", field, "invalid"))


def inactive_app() -> dict[str, Any]:
    return fault("Forbidden", "Application", "", "inactive")


def capacity_exceeded() -> ApiError:
    return ApiError(
        403, fault("Limit of connected athletes exceeded", "Application", "athletes", "exceeded")
    )
