"""A month's statement read back as its bookkeeper reads it: the PDF's text and the CSV
name, for every line, the client's account number, the debtor, the payment's received and
cleared dates, the amount, fee and net, and the totals carried in and out. Then the
payout (once, audited) with its remittance advice, and a gross client's fee invoice."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.kit.dollars import dollars
from server.settlements.remittance.periods import day_label, period_label
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.settlements.conftest import Pay

TZ = ZoneInfo("America/New_York")
# Business days: ACH clears two after it is received (Oct 12 is Columbus Day).
HOLD = {"ach": 2, "check": 3, "card": 1}


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


async def paid(
    pay: Pay, admin: Caller, account: dict[str, Any], cents: int, on: date, to: str = "agency"
) -> dict[str, Any]:
    response = await pay(
        admin, account["id"], amount_cents=cents, paid_to=to, received_at=on.isoformat()
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def month_of_statements(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, owner_db: Any,
    pay: Pay, method: str = "net",
) -> tuple[dict[str, Any], list[tuple[dict[str, Any], dict[str, Any], str]]]:  # fmt: skip
    """September leaves 30.00 due from the client (a direct payment's fee); October holds
    two payments to the agency and a direct one, and carries 86.67 forward."""
    client = await make_client(remittance_cycle="monthly", remittance_method=method,
                               clearing_days=HOLD)  # fmt: skip
    names = [("Ada", "Lovelace"), ("=Cmd", "Smith"), ("José", "Núñez")]
    accounts = []
    for number, (first, last) in zip(("DP-1001", "DP-1002", "DP-1003"), names, strict=True):
        account = await make_account(
            client["client_id"], principal_cents=1_000_000, fee_rate_bps=3000,
            client_account_number=number,
        )  # fmt: skip
        await owner_db.execute(
            "UPDATE debtor_profile SET first_name = $1, last_name = $2"
            " WHERE debtor_id = $3 AND client_id = $4",
            first, last, uuid.UUID(account["debtor_id"]), uuid.UUID(str(account["client_id"])),
        )  # fmt: skip
        accounts.append((account, f"{first} {last}"))
    await paid(pay, admin, accounts[0][0], 10_000, date(2026, 9, 8), to="client")
    october = [
        (accounts[0], await paid(pay, admin, accounts[0][0], 10_000, date(2026, 10, 6))),
        (accounts[1], await paid(pay, admin, accounts[1][0], 3_333, date(2026, 10, 13))),
        (
            accounts[2],
            await paid(pay, admin, accounts[2][0], 50_000, date(2026, 10, 20), to="client"),
        ),
    ]
    end = datetime(2026, 11, 1, tzinfo=TZ).isoformat()
    response = await admin.post("/api/v1/remittance/run", json={"as_of": end})
    assert response.status_code == 200, response.text
    issued = [s for s in response.json()["statements"] if s["client_id"] == client["client_id"]]
    assert len(issued) == 2, issued
    statement = max(issued, key=lambda s: s["period_end"])
    return statement, [(a, p, name) for (a, name), p in october]


async def test_a_months_pdf_and_csv_reconcile_on_their_own(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, owner_db: Any, pay: Pay
) -> None:
    statement, lines = await month_of_statements(admin, make_client, make_account, owner_db, pay)
    sid = statement["statement_id"]
    totals = statement["totals"]
    assert (totals["carried_in_cents"], totals["remit_cents"], totals["carried_out_cents"]) == (
        -3_000, 0, -8_667
    )  # fmt: skip
    assert period_label(
        datetime.fromisoformat(statement["period_start"]),
        datetime.fromisoformat(statement["period_end"]),
        "America/New_York",
    ) == "October 2026"  # fmt: skip

    text = pdf_text((await admin.get(f"/api/v1/statements/{sid}.pdf")).content)
    assert "October 2026" in text
    assert "T04:00:00" not in text
    header = next(row for row in text.splitlines() if "Account no." in row)
    assert "Received" in header
    assert "Cleared" in header
    for account, payment, debtor in lines:
        fee = (payment["amount_cents"] * 3000 + 5000) // 10000
        net = (payment["amount_cents"] if payment["paid_to"] == "agency" else 0) - fee
        [row] = [r for r in text.splitlines() if account["client_account_number"] in r]
        received = date.fromisoformat(payment["received_on"])
        cleared = date.fromisoformat(payment["cleared_on"])
        assert received != cleared
        for expected in (debtor, day_label(received), day_label(cleared),
                         dollars(payment["amount_cents"]), dollars(fee), dollars(net)):  # fmt: skip
            assert expected in row, (expected, row)
    assert "Carried in (due from client)" in text
    assert "-$30.00" in text
    assert "Carried forward (due from client)" in text
    assert "-$86.67" in text

    raw = (await admin.get(f"/api/v1/statements/{sid}.csv")).text
    rows = list(csv.DictReader(io.StringIO(raw)))
    # The columns integrations read come first, unchanged.
    assert raw.startswith(
        "statement_id,client,period_start,period_end,row,kind,movement_id,payment_id,"
        "account_id,moved_on,fee_rate_bps,collected_cents,gross_cents,fee_cents,net_cents,"
    )
    by_number = {r["Client account number"]: r for r in rows if r["row"] == "line"}
    assert len(by_number) == len(lines)
    for account, payment, debtor in lines:
        row = by_number[account["client_account_number"]]
        fee = (payment["amount_cents"] * 3000 + 5000) // 10000
        net = (payment["amount_cents"] if payment["paid_to"] == "agency" else 0) - fee
        # A text cell starting like a formula is defused.
        assert row["Debtor"] == ("'" + debtor if debtor.startswith("=") else debtor)
        assert row["Received date"] == payment["received_on"]
        assert row["Cleared date"] == payment["cleared_on"]
        assert row["Amount $"] == f"{payment['amount_cents'] / 100:.2f}"
        assert (row["Fee rate %"], row["Fee $"], row["Net $"]) == (
            "30.00", f"{fee / 100:.2f}", f"{net / 100:.2f}"
        )  # fmt: skip
        assert (row["fee_cents"], row["net_cents"]) == (str(fee), str(net))
        assert row["Period"] == "October 2026"
    carried = {r["row"]: r["Net $"] for r in rows if r["row"] != "line"}
    assert carried["carried_in"] == "-30.00"
    assert carried["carried_out"] == "-86.67"
    assert "date_of_birth" not in raw
    assert "1 9" not in raw


async def test_a_payout_once_with_its_advice(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, owner_db: Any,
    make_user: MakeUser, pay: Pay,
) -> None:  # fmt: skip
    client = await make_client(remittance_cycle="monthly", clearing_days=HOLD)
    account = await make_account(client["client_id"], principal_cents=1_000_000,
                                 client_account_number="PO-1")  # fmt: skip
    await paid(pay, admin, account, 20_000, date(2026, 10, 2))
    end = datetime(2026, 11, 1, tzinfo=TZ).isoformat()
    run = await admin.post("/api/v1/remittance/run", json={"as_of": end})
    [statement] = [s for s in run.json()["statements"] if s["client_id"] == client["client_id"]]
    sid = statement["statement_id"]
    body = {"method": "ach", "reference": "ACH-7731", "paid_on": "2026-11-03"}
    own = await make_user("client", client_id=client["client_id"])

    assert (await own.post(f"/api/v1/statements/{sid}/payout", json=body)).status_code == 403
    assert (await own.get(f"/api/v1/statements/{sid}/remittance-advice.pdf")).status_code == 404
    early = {**body, "paid_on": "2026-10-20"}
    refused = await admin.post(f"/api/v1/statements/{sid}/payout", json=early)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "paid_on"
    first = await admin.post(f"/api/v1/statements/{sid}/payout", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["amount_cents"] == statement["totals"]["remit_cents"]
    again = await admin.post(f"/api/v1/statements/{sid}/payout", json={**body, "reference": "X"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "statement_paid_out"

    read = (await own.get(f"/api/v1/statements/{sid}")).json()
    assert read["payout"]["reference"] == "ACH-7731"
    assert read["totals"] == statement["totals"]
    audited = await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'settlements.statement.paid_out'"
        " AND entity_id = $1",
        sid,
    )
    assert audited == 1
    advice = await own.get(f"/api/v1/statements/{sid}/remittance-advice.pdf")
    assert advice.status_code == 200
    assert advice.headers["content-type"] == "application/pdf"
    text = pdf_text(advice.content)
    for expected in ("Remittance advice", "ACH-7731", "Nov 3, 2026", "October 2026",
                     dollars(statement["totals"]["remit_cents"])):  # fmt: skip
        assert expected in text, expected
    # A net client's fees were kept: it has no invoice.
    assert (await own.get(f"/api/v1/statements/{sid}/fee-invoice.pdf")).status_code == 404


async def test_a_gross_clients_fee_invoice(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, owner_db: Any, pay: Pay
) -> None:
    statement, lines = await month_of_statements(
        admin, make_client, make_account, owner_db, pay, method="gross"
    )
    response = await admin.get(f"/api/v1/statements/{statement['statement_id']}/fee-invoice.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Fee invoice" in text
    assert "October 2026" in text
    for account, _, debtor in lines:
        assert account["client_account_number"] in text
        assert debtor in text
    assert dollars(statement["totals"]["invoiced_fees_cents"]) in text
