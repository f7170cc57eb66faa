"""The agency's own workspace: server-rendered pages under /workspace for collectors,
supervisors and admins, over the same domain services as the API."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from server.kit.pages import E, ExceptionHandler, PageErrors
from workspace.account_actions import routes as action_routes
from workspace.admin_money_pages import routes as admin_money_routes
from workspace.admin_pages import routes as admin_routes
from workspace.channel_pages import routes as channel_routes
from workspace.controllers import routes as page_routes
from workspace.session import FETCH_VALUE, PREFIX
from workspace.supervisor_pages import routes as supervisor_routes
from workspace.templating import STATIC_DIR, STATIC_PATH, TEMPLATES, asset

__all__ = ["TEMPLATES", "routes", "workspace_aware"]

_ERRORS = PageErrors(
    PREFIX, "workspace/error.html", FETCH_VALUE, {"asset": asset, "home": f"{PREFIX}/"}
)


def workspace_aware(api_handler: ExceptionHandler[E]) -> ExceptionHandler[E]:
    """The app's exception handler, but pages under /workspace get HTML."""
    return _ERRORS.aware(api_handler)


def routes() -> list[Any]:
    static = create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        include_in_schema=False,
        # Their URLs carry a hash of their content (templating.asset).
        cache_control=CacheControlHeader(max_age=31_536_000, public=True),
        name="workspace_static",
    )
    return [
        *page_routes, *action_routes, *supervisor_routes, *admin_routes, *admin_money_routes,
        *channel_routes, static,
    ]  # fmt: skip
