"""The account detail's one statement gives what the per-section reads give: the same
JSON, section by section, for every role on rich accounts (calls, payments, offers,
disputes, verification requests and their documents, blocks, several numbers, one person
placed by two clients), and the same 404s."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any
from uuid import UUID

import httpx
import msgspec
import pytest

from server.accounts import debtors, detail
from server.accounts import repository as account_repository
from server.accounts.schemas import AccountRead, StatusChangeRead
from server.accounts.statuses import SEVERITY, Block
from server.accounts.validation_period import validation_state
from server.auth import service as auth
from server.auth.principal import Principal
from server.dispatch import service as dispatch
from server.disputes import service as disputes
from server.disputes import verification
from server.kit import clock
from server.kit.mapping import read_as
from server.queues import call_context
from server.queues import service as queues
from server.settlements.services import authority_band, offers, reporting
from tests import world as world_module
from tests.accounts.test_status_matrix import BANKRUPTCY
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, record_call

# The detail as it was read before: each section by its own reads, in the wiring's order.
_SECTIONS = {
    "call": call_context.call_section,
    "contacts": queues.contacts_section,
    "score": dispatch.score_section,
    "money": reporting.money_section,
    "offers": offers.offers_section,
    "authority": authority_band.authority_section,
    "disputes": disputes.disputes_section,
    "verification": verification.requests_section,
}


async def _per_section(actor: Principal, account_id: UUID) -> AccountRead | None:
    row = await account_repository.account(account_id)
    if row is None or not actor.may_see_client(row["client_id"]):
        return None
    sections = {name: await read(actor, account_id) for name, read in _SECTIONS.items()}
    blocks = await account_repository.blocks_in_force(account_id)
    return read_as(
        AccountRead,
        row,
        account_id=row["id"],
        debtor=await debtors.debtor_read(actor, row),
        status_history=[
            read_as(StatusChangeRead, h)
            for h in await account_repository.status_history(account_id)
        ],
        validation_state=validation_state(
            row["validation_period_ends_on"],
            clock.now(),
            returned_on=row["validation_notice_returned_on"],
        ),
        blocks=[
            detail.block_read(b)
            for b in sorted(blocks, key=lambda b: SEVERITY.index(Block(b["kind"])))
        ],
        disputed=row["disputed_since"] is not None,
        sections=sections,
    )


def _plain(read: AccountRead) -> Any:
    return json.loads(msgspec.json.encode(read))


async def _enrich(world: world_module.World, side: world_module.Side) -> None:
    """More of each kind on the side's account than the world gives it (a call, a promise,
    payments, an offer, a dispute with its verification request and a document)."""
    account_id = side.account["id"]
    await record_call(side.collector, account_id, "2025-06-04T10:00:00-04:00", "no_answer")
    await world_module.record_payment(world.admin, side, amount_cents=700, received_at="2026-11-20")


@pytest.fixture
async def rich(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
) -> tuple[world_module.World, world_module.SharedPerson]:
    world = await world_module.build_world(http, admin, make_user, make_client, make_account)
    for side in (world.a, world.b):
        await _enrich(world, side)
    shared = await world_module.share_a_person(world)
    # Blocks (the most severe listed first) and calls on the person both clients placed.
    received = (clock.now() - timedelta(days=1)).isoformat()
    for path, body in (
        ("status", {"status": "bankruptcy", "bankruptcy": BANKRUPTCY}),
        ("cease", {"channel": "written"}),
    ):
        done = await admin.post(
            f"/api/v1/accounts/{shared.b_accounts[1]}/{path}",
            json={"reason": "the world", "received_at": received, **body},
        )
        assert done.status_code == 200, done.text
    supervisor_of_both = await make_user(
        "collector", client_ids=[world.a.client_id, world.b.client_id]
    )
    for account_id in (shared.a_accounts[1], shared.b_accounts[1]):
        await record_call(supervisor_of_both, account_id, "2025-06-05T11:00:00-04:00", "refused")
    return world, shared


async def test_one_statement_reads_what_the_sections_read(
    rich: tuple[world_module.World, world_module.SharedPerson],
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world, shared = rich
    # One moment for both readings: the call context and the score are read as of it.
    at = clock.now().astimezone(UTC) + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: at)
    callers = {
        "admin": world.admin, "supervisor": world.supervisor,
        "collector of A": world.a.collector, "collector of B": world.b.collector,
        "client A user": world.a.user, "client A token": world.a.token,
        "client B user": world.b.user,
    }  # fmt: skip
    accounts = [
        world.a.account["id"],
        world.b.account["id"],
        *shared.a_accounts,
        *shared.b_accounts,
    ]
    seen = refused = 0
    for who, caller in callers.items():
        actor = await auth.principal_for_bearer(caller.token)
        for account_id in map(UUID, map(str, accounts)):
            expected = await _per_section(actor, account_id)
            found = await detail.read_detail(actor, account_id, at)
            over_http = await caller.get(f"/api/v1/accounts/{account_id}")
            if expected is None:
                assert found is None, (who, account_id)
                assert over_http.status_code == 404, (who, account_id, over_http.text)
                refused += 1
                continue
            assert found is not None, (who, account_id)
            assert msgspec.json.encode(found) == msgspec.json.encode(expected), (who, account_id)
            assert over_http.status_code == 200, over_http.text
            assert over_http.json() == _plain(expected), (who, account_id)
            seen += 1
    assert seen >= 20, seen
    assert refused >= 10, refused


async def test_rich_accounts_fill_every_section(
    rich: tuple[world_module.World, world_module.SharedPerson],
) -> None:
    """The comparison above is over accounts with something in each section."""
    world, shared = rich
    read = (await world.admin.get(f"/api/v1/accounts/{world.a.account['id']}")).json()
    sections = read["sections"]
    filled = [
        sections["call"]["phones"], sections["call"]["promises"],
        sections["contacts"]["recent_calls"][1], sections["money"]["payments"][2],
        sections["money"]["history"], sections["offers"]["items"], sections["authority"],
        sections["disputes"], sections["verification"][0]["documents"],
    ]  # fmt: skip
    assert all(filled), filled
    blocked = (await world.admin.get(f"/api/v1/accounts/{shared.b_accounts[1]}")).json()
    assert [b["kind"] for b in blocked["blocks"]] == ["bankruptcy", "cease_communication"]
    assert len(blocked["debtor"]["phones"]) >= 3, blocked["debtor"]
    assert len(blocked["debtor"]["profiles"]) == 2, blocked["debtor"]
    mine = (await world.a.user.get(f"/api/v1/accounts/{shared.a_accounts[1]}")).json()
    assert (mine["sections"]["call"], mine["sections"]["authority"]) == (None, None)
    assert mine["debtor"]["profiles"] is None
    assert all(p["client_id"] != world.b.client_id for p in mine["debtor"]["phones"])


def test_the_statement_is_planned_once() -> None:
    """Its SQL fits what asyncpg keeps prepared, so it is not planned on every request."""
    from server.accounts import detail_repository
    from server.kit import db
    from server.wiring import wire

    wire()
    parts = list(detail_repository.CORE_PARTS.values())
    parts += [sql for section in detail._sections.values() for sql in section.parts.values()]
    sql = detail_repository.detail_sql(detail_repository.NESTED_TYPES, [(p, False) for p in parts])
    assert 15 * 1024 < len(sql) < db.MAX_CACHEABLE_STATEMENT
