"""Notices: a client with users who want them, and the harness's SMTP server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from scripts.loopback_smtp import Mailbox
from server.notices import service
from tests import servers as test_servers
from tests.fixtures import Caller, MakeClient, MakeUser


async def want_notices(user: Caller, email: str, switched_off: list[str] | None = None) -> None:
    response = await user.request(
        "PUT", "/api/v1/me/notices", json={"email": email, "switched_off": switched_off or []}
    )
    assert response.status_code == 200, response.text


async def send() -> service.SendTally:
    return await service.send_due(service.smtp_target())


@pytest.fixture
def mailbox(services: test_servers.TestServers) -> Mailbox:
    return services.smtp.mailbox


@pytest.fixture
async def people(
    http: httpx.AsyncClient, admin: Caller, make_user: MakeUser, make_client: MakeClient
) -> dict[str, Any]:
    client = await make_client()
    return {
        "admin": admin,
        "client_id": client["client_id"],
        "client": await make_user("client", client_id=client["client_id"]),
        "colleague": await make_user("client", client_id=client["client_id"]),
        "collector": await make_user("collector", client_ids=[client["client_id"]]),
        "supervisor": await make_user("supervisor"),
    }
