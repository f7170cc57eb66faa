"""The client businesses' portal: server-rendered pages under /portal over the same
domain services as the API."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from client_portal.channel_pages import routes as channel_routes
from client_portal.controllers import routes as page_routes
from client_portal.errors import portal_aware
from client_portal.layout_pages import routes as layout_routes
from client_portal.templating import STATIC_DIR, STATIC_PATH, template_config
from client_portal.verification_pages import routes as verification_routes

__all__ = ["portal_aware", "routes", "template_config"]


def routes() -> list[Any]:
    static = create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        include_in_schema=False,
        # Their URLs carry a hash of their content (templating.static).
        cache_control=CacheControlHeader(max_age=31_536_000, public=True),
        name="portal_static",
    )
    return [*page_routes, *layout_routes, *verification_routes, *channel_routes, static]
