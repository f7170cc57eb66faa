"""Placements: thin controllers over the placements service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from server.auth.guards import CurrentPrincipal
from server.clients.column_map import FileKind
from server.clients.schemas import Tier
from server.kit.errors import InvalidInput
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit
from server.kit.uploads import read_upload
from server.placements import service
from server.placements.schemas import PlacementErrorPage, PlacementRead


class PlacementController(Controller):
    path = "/api/v1/placements"
    tags = ["placements"]

    @post(
        operation_id="CreatePlacement",
        status_code=HTTP_202_ACCEPTED,
        request_max_body_size=None,
        responses={
            200: ResponseSpec(PlacementRead, description="The same bytes were already placed")
        },
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        client_id: Annotated[UUID | None, QueryParameter(name="client_id")] = None,
        kind: Annotated[FileKind, QueryParameter(name="kind")] = FileKind.NEW_BUSINESS,
        tier: Annotated[Tier, QueryParameter(name="tier")] = Tier.PRIMARY,
    ) -> Response[PlacementRead]:
        """Upload a placement file: the CSV as the body (text/csv, file name in
        Content-Disposition or ?file_name=) or as the `file` part of a multipart form.
        Streamed, never held whole; the same bytes again return the same placement (200)."""
        target = client_id or principal.client_id
        if target is None:
            raise InvalidInput.field("client_id", "is required")
        placement, created = await service.receive_placement(
            principal, client_id=target, kind=kind, tier=tier, upload=read_upload(request)
        )
        return Response(placement, status_code=HTTP_202_ACCEPTED if created else HTTP_200_OK)

    @get(operation_id="ListPlacements")
    async def list_placements(
        self,
        principal: CurrentPrincipal,
        client_id: Annotated[UUID | None, QueryParameter(name="client_id")] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[PlacementRead]:
        """Placements the caller may see, newest first."""
        return await service.list_placements(principal, page_request(limit, cursor), client_id)

    @get("/{placement_id:uuid}", operation_id="GetPlacement")
    async def get_placement(
        self, principal: CurrentPrincipal, placement_id: FromPath[UUID]
    ) -> PlacementRead:
        """Status, counts and progress of one placement."""
        return await service.get_placement(principal, placement_id)

    @get("/{placement_id:uuid}/errors", operation_id="ListPlacementErrors")
    async def errors(
        self,
        principal: CurrentPrincipal,
        placement_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> PlacementErrorPage:
        """Row errors and warnings, with line, column and reason, in line order."""
        return await service.placement_errors(principal, placement_id, limit, cursor)

    @get(
        "/{placement_id:uuid}/errors.csv",
        operation_id="DownloadPlacementErrors",
        media_type="text/csv",
    )
    async def errors_csv(self, principal: CurrentPrincipal, placement_id: FromPath[UUID]) -> Stream:
        """The row errors and warnings as CSV."""
        rows = await service.placement_errors_csv(principal, placement_id)
        return _csv_download(rows, f"placement-{placement_id}-errors.csv")

    @get(
        "/{placement_id:uuid}/acknowledgement.csv",
        operation_id="DownloadPlacementAcknowledgement",
        media_type="text/csv",
    )
    async def acknowledgement_csv(
        self, principal: CurrentPrincipal, placement_id: FromPath[UUID]
    ) -> Stream:
        """Every accepted account: our id, its line, the balance received, the fee rate."""
        rows = await service.acknowledgement_csv(principal, placement_id)
        return _csv_download(rows, f"placement-{placement_id}-acknowledgement.csv")

    @post("/{placement_id:uuid}/confirm", operation_id="ConfirmPlacement", status_code=HTTP_200_OK)
    async def confirm(
        self, principal: CurrentPrincipal, placement_id: FromPath[UUID]
    ) -> PlacementRead:
        """The client confirms a placement held for implausible balances: it is worked."""
        return await service.confirm_placement(principal, placement_id)

    @post("/{placement_id:uuid}/cancel", operation_id="CancelPlacement", status_code=HTTP_200_OK)
    async def cancel(
        self, principal: CurrentPrincipal, placement_id: FromPath[UUID]
    ) -> PlacementRead:
        """The client cancels a held placement: rejected, its accounts recalled, never
        worked; the same bytes may be sent again."""
        return await service.cancel_placement(principal, placement_id)


def _csv_download(rows: AsyncIterator[bytes], file_name: str) -> Stream:
    return Stream(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


routes = [PlacementController]
