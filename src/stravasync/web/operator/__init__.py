"""The operator's side: the admin API (``/admin/api``), the dashboard (``/admin``), the cron
trigger and the in-process workers that ``stravasync serve`` runs.

Others use only what ``__all__`` names: the routers for the app, ``Workers`` for the serve
command."""

from __future__ import annotations

from fastapi import APIRouter

from stravasync.web.operator import athletes, controls, cron, dashboard, logs, ops
from stravasync.web.operator.workers import Workers

__all__ = ["Workers", "api_routers", "page_routers"]


def api_routers() -> list[APIRouter]:
    """The JSON admin API's routes."""
    return [athletes.router, controls.router, ops.router, logs.router]


def page_routers() -> list[APIRouter]:
    """The dashboard's pages and the cron trigger."""
    return [dashboard.router, cron.router]
