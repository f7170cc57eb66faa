"""Financial files: direct payments, balance adjustments and reversals the client reports,
loaded like any placement file and applied through the settlements service."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import asyncpg

from server.placements import ingest
from server.placements.column_map import FileKind, default_column_map
from tests.fixtures import Caller, MakeClient
from tests.placements.test_ingest import csv_bytes, good_row, upload, upload_and_load

FINANCIAL_HEADER = list(default_column_map(FileKind.FINANCIAL).columns)
# good_row's balance: 1,234.56 principal + 10.00 interest.
PLACED = 124_456


def financial(rows: list[dict[str, str]], header: list[str] = FINANCIAL_HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode()


def row(number: int, kind: str, amount: str, **fields: str) -> dict[str, str]:
    return {
        "client_account_number": f"AC-{number:05d}",
        "transaction_type": kind,
        "amount_cents": amount,
        "transaction_date": "2026-10-01",
        **fields,
    }


async def place_accounts(admin: Caller, client_id: str, count: int) -> None:
    await upload_and_load(admin, client_id, csv_bytes([good_row(i) for i in range(count)]))


async def load_financial(caller: Caller, client_id: str, body: bytes) -> dict[str, Any]:
    response = await upload(caller, client_id, body, kind="financial")
    assert response.status_code == 202, response.text
    placement_id = response.json()["placement_id"]
    assert await ingest.load_placement(UUID(placement_id)) == "loaded"
    return dict((await caller.get(f"/api/v1/placements/{placement_id}")).json())


async def errors_of(caller: Caller, placement: dict[str, Any]) -> list[dict[str, Any]]:
    response = await caller.get(f"/api/v1/placements/{placement['placement_id']}/errors")
    return list(response.json()["items"])


async def balances(db: asyncpg.Connection, client_id: str) -> dict[str, tuple[int, str]]:
    rows = await db.fetch(
        "SELECT client_account_number, balance_cents, status FROM account WHERE client_id = $1",
        UUID(client_id),
    )
    return {r["client_account_number"]: (r["balance_cents"], r["status"]) for r in rows}


async def test_direct_payments_and_adjustments_move_balances_as_the_api_would(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await place_accounts(admin, client["client_id"], 4)
    body = financial(
        [
            row(0, "payment", "100.00", payment_method="check", transaction_id="T-1"),
            row(1, "adjustment", "-44.56", reason="interest waived"),
            row(1, "Adjustment", "$10.00", reason="late fee"),
            row(2, "payment", "1,244.56", payment_method="ach", transaction_id="T-2"),
        ]
    )
    placement = await load_financial(admin, client["client_id"], body)
    assert (placement["rows_read"], placement["rows_accepted"], placement["rows_rejected"]) == (
        4, 4, 0,
    )  # fmt: skip
    assert placement["kind"] == "financial"
    assert await balances(owner_db, client["client_id"]) == {
        "AC-00000": (PLACED - 10_000, "active"),
        "AC-00001": (PLACED - 4_456 + 1_000, "active"),
        "AC-00002": (0, "paid_in_full"),
        "AC-00003": (PLACED, "active"),
    }
    payments = await owner_db.fetch(
        "SELECT amount_cents, method, paid_to, received_on, cleared_on, processor_reference,"
        " applied_cents, credit_cents, account_status_after FROM payment ORDER BY amount_cents"
    )
    # Cleared ten business days on for a check (over Columbus Day, 12 October), five for ACH.
    assert [tuple(p.values()) for p in payments] == [
        (10_000, "check", "client", *_dates("2026-10-01", "2026-10-16"), "T-1", 10_000, 0,
         "active"),
        (PLACED, "ach", "client", *_dates("2026-10-01", "2026-10-08"), "T-2", PLACED, 0,
         "paid_in_full"),
    ]  # fmt: skip
    adjustments = await owner_db.fetch(
        "SELECT kind, amount_cents, reason, effective_on::text, balance_after_cents"
        " FROM balance_adjustment ORDER BY created_at, amount_cents"
    )
    assert [tuple(a.values()) for a in adjustments] == [
        ("client_adjustment", -4_456, "interest waived", "2026-10-01", PLACED - 4_456),
        ("client_adjustment", 1_000, "late fee", "2026-10-01", PLACED - 4_456 + 1_000),
    ]
    # Every movement audited, and the account paid off by the file has its status change.
    audited = await owner_db.fetch(
        "SELECT action, count(*) FROM audit_event WHERE action IN ('payment.create',"
        " 'account.client_adjustment', 'account.payment') GROUP BY action"
    )
    assert dict(audited) == {
        "payment.create": 2, "account.client_adjustment": 2, "account.payment": 1,
    }  # fmt: skip
    ledger = await owner_db.fetch("SELECT line, kind FROM client_transaction ORDER BY line")
    assert [tuple(r.values()) for r in ledger] == [
        (2, "payment"), (3, "adjustment"), (4, "adjustment"), (5, "payment"),
    ]  # fmt: skip
    # The account detail's history shows them, the adjustment without a payment.
    account_id = await owner_db.fetchval(
        "SELECT id FROM account WHERE client_account_number = 'AC-00001'"
    )
    detail = (await admin.get(f"/api/v1/accounts/{account_id}")).json()
    history = detail["sections"]["money"]["history"]
    assert [(h["kind"], h["amount_cents"], h["payment_id"]) for h in history] == [
        ("client_adjustment", -1_000, None), ("client_adjustment", 4_456, None),
    ]  # fmt: skip


def _dates(*days: str) -> tuple[Any, ...]:
    from datetime import date

    return tuple(date.fromisoformat(day) for day in days)
