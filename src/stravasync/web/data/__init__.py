"""The data API for the owning app (``/api``, the data API key): athletes, activities,
annotations, stats, original files, tracks (GPX, TCX), and per-athlete controls (sync now,
pause, resume).

Others use only what ``__all__`` names: the routers for the app."""

from __future__ import annotations

from fastapi import APIRouter

from stravasync.web.data import api, controls, files, tracks

__all__ = ["routers"]


def routers() -> list[APIRouter]:
    """The data API's routes (``/activities/{id}.gpx`` before ``/activities/{id}``, which
    would otherwise take ``123.gpx`` for an id)."""
    return [tracks.router, api.router, controls.router, files.router]
