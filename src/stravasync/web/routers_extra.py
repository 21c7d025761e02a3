"""Routers for HTML pages and flows that need other areas' code: dashboard, OAuth connect, cron."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from stravasync.web import connect, cron, dashboard

    return [dashboard.router, connect.router, cron.router]
