"""Blocks' evidence, checked field by field; the SQL status of a set of blocks is the
rules' own."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from server.accounts.statuses import Block, open_status
from server.kit import clock
from tests.accounts.test_status_matrix import ATTORNEY, BANKRUPTCY, CONSENT, DECEASED
from tests.fixtures import Caller, MakeAccount, MakeClient


async def test_the_sql_status_of_every_set_of_blocks_is_the_rules(
    owner_db: asyncpg.Connection,
) -> None:
    for size in range(len(Block) + 1):
        for blocks in itertools.combinations(list(Block), size):
            sql = await owner_db.fetchval(
                "SELECT account_open_status($1::text[])", [b.value for b in blocks]
            )
            assert sql == open_status(blocks), blocks


def _tomorrow() -> str:
    return (clock.agency_today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "bankruptcy"}, "bankruptcy"),
        ({"status": "bankruptcy", "bankruptcy": {**BANKRUPTCY, "chapter": 9}},
         "bankruptcy.chapter"),
        ({"status": "bankruptcy", "bankruptcy": {**BANKRUPTCY, "case_number": "   "}},
         "bankruptcy.case_number"),
        ({"status": "bankruptcy", "bankruptcy": {**BANKRUPTCY, "filing_date": "tomorrow"}},
         "bankruptcy.filing_date"),
        ({"status": "attorney_represented"}, "attorney"),
        ({"status": "attorney_represented", "attorney": {**ATTORNEY, "phone": "555-01"}},
         "attorney.phone"),
        ({"status": "attorney_represented",
          "attorney": {k: v for k, v in ATTORNEY.items() if k != "firm"}}, "attorney.firm"),
        ({"status": "deceased"}, "deceased"),
        ({"status": "deceased", "deceased": {**DECEASED, "date_of_death": "tomorrow"}},
         "deceased.date_of_death"),
        ({"status": "closed", "bankruptcy": BANKRUPTCY}, "bankruptcy"),
        ({"status": "deceased", "deceased": DECEASED, "lifts": "bankruptcy"}, "lifts"),
    ],
)  # fmt: skip
async def test_evidence_is_refused_naming_the_field(
    admin: Caller,
    make_client: MakeClient,
    make_account: MakeAccount,
    owner_db: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    client = await make_client()
    account = await make_account(client["client_id"])

    def dated(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dated(v) for k, v in value.items()}
        return _tomorrow() if value == "tomorrow" else value

    response = await admin.post(
        f"/api/v1/accounts/{account['id']}/status", json={"reason": "r", **dated(body)}
    )
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == [field], response.text
    assert await owner_db.fetchval("SELECT count(*) FROM account_block") == 0
    assert await owner_db.fetchval("SELECT status FROM account") == "active"


async def test_consent_needs_its_document_dated_after_the_cease(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client()
    account_id = (await make_account(client["client_id"]))["id"]
    ceased = await admin.post(
        f"/api/v1/accounts/{account_id}/cease",
        json={"reason": "letter", "channel": "written",
              "received_at": (clock.now() - timedelta(days=1)).isoformat()},
    )  # fmt: skip
    assert ceased.status_code == 200, ceased.text
    url = f"/api/v1/accounts/{account_id}/consent"
    missing = await admin.post(url, json={"reason": "wrote"})
    assert missing.json()["error"]["details"][0]["field"] == "consent", missing.text
    early = await admin.post(url, json={"reason": "wrote", "consent": CONSENT})
    assert early.status_code == 422, early.text
    assert early.json()["error"]["details"][0]["field"] == "consent.document_date"
    oral = {"reason": "said so", "channel": "oral",
            "consent": {**CONSENT, "document_date": clock.agency_today().isoformat()}}  # fmt: skip
    assert (await admin.post(url, json=oral)).json()["error"]["details"][0]["field"] == "channel"
    fine = await admin.post(url, json={**oral, "channel": "written"})
    assert fine.status_code == 200, fine.text
    assert fine.json()["status"] == "active"
