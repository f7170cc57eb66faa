"""Workspace tests: browsers signed in through the workspace's sign-in form (the portal
tests' browsers at another door), and a floor of one client with a collector whose queue
holds one person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from tests.client_portal.conftest import Browser, NewBrowser, browser  # noqa: F401 - the fixture
from tests.dispatch.test_work_queue import dispatch, in_calling_hours
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser


@pytest.fixture
async def staff_browser(browser: NewBrowser) -> NewBrowser:  # noqa: F811
    """A browser at the workspace's door."""

    async def make(address: str = "203.0.113.30") -> Browser:
        return await browser(address, door="/workspace")

    return make


@dataclass
class Floor:
    """A client; a supervisor and a collector working its accounts; one account of a
    person in calling hours, dealt to the collector's queue."""

    client_id: str
    supervisor: Caller
    collector: Caller
    account: dict[str, Any]
    phone: str


@pytest.fixture
async def floor(
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> Floor:
    client = await make_client()
    supervisor = await make_user("supervisor")
    collector = await make_user("collector", client_ids=[client["client_id"]], capacity=10)
    account = await make_account(client["client_id"])
    await in_calling_hours(owner_db)
    await dispatch(supervisor)
    phone = await owner_db.fetchval(
        "SELECT e164 FROM debtor_phone p JOIN account a ON a.debtor_id = p.debtor_id"
        " WHERE a.id = $1",
        UUID(account["id"]),
    )
    return Floor(client["client_id"], supervisor, collector, account, phone)


__all__ = ["Browser", "NewBrowser"]
