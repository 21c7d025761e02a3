"""The data API for the owning app (``/api/v1``, the data API key): athletes, activities,
annotations, stats and original files.

Others use only what ``__all__`` names: the routers for the app."""

from __future__ import annotations

from fastapi import APIRouter

from stravasync.web.data import api, files

__all__ = ["routers"]


def routers() -> list[APIRouter]:
    """The data API's routes."""
    return [api.router, files.router]
