"""The supervisors' views: collectors and portfolios at a glance."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from server.auth.guards import CurrentPrincipal, staff_only
from server.supervision import service
from server.supervision.schemas import CollectorsRead, PortfoliosRead

Day = Annotated[
    date | None,
    QueryParameter(name="day", description="the agency's date (default: today)"),
]


class SupervisionController(Controller):
    path = "/api/v1/supervision"
    tags = ["supervision"]
    guards = [staff_only]

    @get("/collectors", operation_id="SuperviseCollectors")
    async def collectors(self, principal: CurrentPrincipal, day: Day = None) -> CollectorsRead:
        """Every collector with capacity, portfolios, queue depth (people queued, leased
        now, room left) and the day's calls placed, right-party contacts, promises made
        and kept, and payments."""
        return await service.collectors_view(principal, day)

    @get("/portfolios", operation_id="SupervisePortfolios")
    async def portfolios(self, principal: CurrentPrincipal, day: Day = None) -> PortfoliosRead:
        """Every portfolio (client), the day and the week to it: calls placed, right-party
        contacts, promises made and kept, payments and dollars collected; offers waiting
        for a supervisor with debtor and account number; the week's rule findings with
        explanations."""
        return await service.portfolios_view(principal, day)


routes = [SupervisionController]
