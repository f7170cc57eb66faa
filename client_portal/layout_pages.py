"""The portal's pages for the client's file layouts: the template and sample downloads,
and the mapping step (thin handlers over client_portal.layouts)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK

from client_portal import layouts
from client_portal.controllers import Query, Session, page, see_other
from client_portal.errors import SECURITY_HEADERS
from client_portal.session import CSRF_FIELD, check_csrf, provide_session, read_form
from server.auth.service import PortalSession


async def _download(session: PortalSession, kind: str, which: str) -> Response[bytes]:
    content, name = await layouts.layout_file(session.principal, kind, which)
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type="text/csv; charset=utf-8", headers=headers)


class LayoutController(Controller):
    path = "/portal/placements/layouts"
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    @get("/template.csv")
    async def template(self, session: Session, kind: Query = "") -> Response[bytes]:
        """The header a kind of file carries in the client's layout, and one example row."""
        return await _download(session, kind, "template")

    @get("/sample.csv")
    async def sample(self, session: Session, kind: Query = "") -> Response[bytes]:
        """A small file of a kind in the client's layout, as it would be sent."""
        return await _download(session, kind, "sample")

    @post("/match", status_code=HTTP_200_OK)
    async def match(self, request: Request[Any, Any, Any], session: Session) -> Response[Any]:
        """The mapping step: first from the refused file's first bytes, then with the
        client's choices (previewed, or saved and back to the placements page)."""
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        if not form.get("action"):
            step = await layouts.start_mapping(
                session.principal, form.get("kind"), form.get("sample")
            )
        else:
            step, saved = await layouts.mapping_from_form(session.principal, form)
            if saved:
                return see_other(f"/portal/placements?mapped={step.kind.value}#upload-title")
        status = 422 if step.errors else HTTP_200_OK
        return await page("mapping.html", session, status=status, nav="placements", step=step)


routes = [LayoutController]
