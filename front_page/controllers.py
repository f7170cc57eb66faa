"""`/`: the front page, or the portal for a browser already signed in to it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from client_portal.errors import SECURITY_HEADERS
from client_portal.session import CSRF_FIELD, SESSION_COOKIE
from server.auth import service as auth
from server.kit.settings import get_settings

PORTAL = "/portal/"
WORKSPACE = "/workspace/"
API_DOCS = "/schema"


class FrontPageController(Controller):
    path = "/"
    include_in_schema = False

    @get("/", exclude_from_auth=True)
    async def front_page(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The doors of this server; a client user signed in to the portal goes straight
        to it (an expired or unknown session just sees the page)."""
        secret = request.cookies.get(SESSION_COOKIE)
        if secret and await auth.portal_session(secret) is not None:
            return Redirect(PORTAL, status_code=HTTP_303_SEE_OTHER, headers=SECURITY_HEADERS)
        settings = get_settings()
        return Template(
            template_name="front_page.html",
            context={
                # The portal's frame, drawn without anyone signed in.
                "session": None,
                "nav": "",
                "csrf": "",
                "csrf_field": CSRF_FIELD,
                "portal_url": PORTAL,
                "workspace_url": WORKSPACE,
                "api_docs_url": API_DOCS,
                # A newcomer's first hint; a production server does not advertise demos.
                "show_demo_hint": settings.environment != "production",
            },
            media_type=MediaType.HTML,
            headers=SECURITY_HEADERS,
        )
