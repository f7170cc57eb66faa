"""Financial files: direct payments, balance adjustments and reversals the client reports,
loaded like any placement file and applied through the settlements service."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from server.clients.column_map import FileKind, default_column_map
from server.placements import ingest, row_owners
from tests.fixtures import Caller, MakeClient
from tests.placements.test_ingest import csv_bytes, good_row, upload, upload_and_load

FINANCIAL_HEADER = list(default_column_map(FileKind.FINANCIAL).columns)
# good_row's balance: 1,234.56 principal + 10.00 interest.
PLACED = 124_456


def financial(rows: list[dict[str, str]], header: list[str] = FINANCIAL_HEADER) -> bytes:
    """Rows keyed by our fields, the header row in the default layout's names."""
    layout = default_column_map(FileKind.FINANCIAL).columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([layout.get(column, column) for column in header])
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
    # The acknowledgement: every row applied, with the movement it made.
    ack = await admin.get(f"/api/v1/placements/{placement['placement_id']}/acknowledgement.csv")
    ack_rows = list(csv.reader(io.StringIO(ack.text)))
    assert ack_rows[0] == [
        "line", "client_account_number", "transaction_type", "transaction_id", "account_id",
        "movement_id", "amount_cents", "balance_after_cents",
    ]  # fmt: skip
    assert [(r[0], r[1], r[2], r[3], r[6], r[7]) for r in ack_rows[1:]] == [
        ("2", "AC-00000", "payment", "T-1", "10000", str(PLACED - 10_000)),
        ("3", "AC-00001", "adjustment", "", "-4456", str(PLACED - 4_456)),
        ("4", "AC-00001", "adjustment", "", "1000", str(PLACED - 3_456)),
        ("5", "AC-00002", "payment", "T-2", str(PLACED), "0"),
    ]
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


async def test_a_financial_file_nobody_registered_to_apply_fails_saying_so(
    admin: Caller,
    make_client: MakeClient,
    owner_db: asyncpg.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process that skipped `server.wiring.wire()` has no owner for a financial file's
    rows: the load fails loudly, naming the missing step, and moves no money."""
    client = await make_client()
    await place_accounts(admin, client["client_id"], 1)
    body = financial([row(0, "payment", "100.00", payment_method="check", transaction_id="T-1")])
    response = await upload(admin, client["client_id"], body, kind="financial")
    assert response.status_code == 202, response.text
    monkeypatch.setattr(row_owners, "_owners", {})
    with pytest.raises(row_owners.NoRowOwner, match=r"financial files.*server\.wiring\.wire\(\)"):
        await ingest.load_placement(UUID(response.json()["placement_id"]))
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 0
    assert await balances(owner_db, client["client_id"]) == {"AC-00000": (PLACED, "active")}


async def test_each_bad_row_is_refused_with_its_field_and_reason_and_changes_nothing(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from server.kit.settings import get_settings

    client = await make_client()
    await place_accounts(admin, client["client_id"], 5)
    ids = dict(await owner_db.fetch("SELECT client_account_number, id FROM account"))
    closed = await admin.post(
        f"/api/v1/accounts/{ids['AC-00003']}/status",
        json={"status": "closed", "reason": "sold to another agency"},
    )
    assert closed.status_code == 200, closed.text
    recalled = await admin.post(
        f"/api/v1/accounts/{ids['AC-00004']}/recall", json={"reason": "taken back"}
    )
    assert recalled.status_code == 200, recalled.text
    tomorrow = datetime.now(ZoneInfo(get_settings().agency_timezone)).date() + timedelta(days=1)
    rows = [
        row(0, "payment", "100.00", transaction_id="T-1"),  # 2: accepted
        row(0, "payment", "1.00", client_account_number=""),  # 3
        row(0, "payment", "1.00", client_account_number="NOPE-1"),  # 4
        # The client's own balance again: a payment is recorded (test_left_collection).
        row(3, "adjustment", "-1.00"),  # 5: closed
        row(4, "adjustment", "-1.00"),  # 6: recalled
        row(0, "refund", "1.00"),  # 7
        row(0, "payment", "12.345"),  # 8
        row(0, "payment", "0"),  # 9
        row(0, "payment", "-5.00"),  # 10
        row(0, "adjustment", "0.00"),  # 11
        row(0, "payment", "1.00", transaction_date=tomorrow.isoformat()),  # 12
        row(0, "payment", "1.00", transaction_date="10/32/2026"),  # 13
        row(0, "payment", "1.00", payment_method="bitcoin"),  # 14
        row(0, "reversal", "100.00"),  # 15
        row(0, "reversal", "100.00", original_transaction_id="T-404"),  # 16
        row(1, "adjustment", "-2,000.00"),  # 17
        row(1, "payment", "1.00", transaction_id="T-1"),  # 18: T-1 is line 2's
        row(0, "payment", "1.00", reason="card 4111 1111 1111 1111"),  # 19
        row(0, "reversal", "50.00", original_transaction_id="T-1"),  # 20
        row(1, "reversal", "100.00", original_transaction_id="T-1"),  # 21
        row(0, "reversal", "100.00", original_transaction_id="T-1",
            transaction_date="2026-09-30"),  # 22: before the payment
        row(2, "adjustment", "-1,244.57"),  # 23: one cent below zero
        row(2, "adjustment", "-1,244.56"),  # 24: accepted, to zero
        row(0, "payment", "1.00", transaction_id="x" * 65),  # 25
        row(0, "payment", "1.00", transaction_id="y" * 64),  # 26: accepted
        row(0, "payment", "1.00", amount_cents=""),  # 27
        row(0, "payment", "1.00", transaction_date=""),  # 28
        row(0, "payment", "1.00", transaction_date="1969-12-31"),  # 29
        row(0, "payment", "1.00", transaction_date="1970-01-01"),  # 30: accepted
        row(0, "payment", "1.00", reason="r" * 501),  # 31
        row(0, "payment", "1.00", reason="r" * 249 + "  " + "r" * 250),  # 32: 500, spaces collapsed
    ]  # fmt: skip
    placement = await load_financial(admin, client["client_id"], financial(rows))
    errors = await errors_of(admin, placement)
    assert [(e["line"], e["field"], e["code"]) for e in errors] == [
        (3, "client_account_number", "required"),
        (4, "client_account_number", "not_found"),
        (5, "client_account_number", "account_left_collection"),
        (6, "client_account_number", "account_left_collection"),
        (7, "transaction_type", "invalid_transaction_type"),
        (8, "amount_cents", "invalid_amount"),
        (9, "amount_cents", "amount_not_positive"),
        (10, "amount_cents", "amount_not_positive"),
        (11, "amount_cents", "amount_zero"),
        (12, "transaction_date", "future_date"),
        (13, "transaction_date", "invalid_date"),
        (14, "payment_method", "invalid_payment_method"),
        (15, "original_transaction_id", "required"),
        (16, "original_transaction_id", "not_found"),
        (17, "amount_cents", "balance_below_zero"),
        (18, "transaction_id", "duplicate_transaction"),
        (19, "reason", "card_number_refused"),
        (20, "amount_cents", "amount_mismatch"),
        (21, "original_transaction_id", "account_mismatch"),
        (22, "transaction_date", "invalid_date"),
        (23, "amount_cents", "balance_below_zero"),
        (25, "transaction_id", "too_long"),
        (27, "amount_cents", "required"),
        (28, "transaction_date", "required"),
        (29, "transaction_date", "invalid_date"),
        (31, "reason", "too_long"),
    ]
    assert all(e["severity"] == "error" and e["reason"] for e in errors)
    layout = default_column_map(FileKind.FINANCIAL).columns
    assert all(e["column"] == layout[e["field"]] for e in errors)  # the default map's headers
    reasons = {e["line"]: e["reason"] for e in errors}
    assert reasons[17] == f"would take the balance ({PLACED} cents) below zero"
    assert reasons[18].startswith("already reported on line 2 of placement ")
    assert reasons[20] == "must be the reversed payment's amount (10000 cents)"
    assert "4111" not in " ".join(reasons.values())
    assert reasons[29] == "must not be before 1970-01-01"
    assert reasons[31] == "must be at most 500 characters"
    assert (placement["rows_read"], placement["rows_accepted"], placement["rows_rejected"]) == (
        31, 5, 26,
    )  # fmt: skip
    assert await balances(owner_db, client["client_id"]) == {
        "AC-00000": (PLACED - 10_000 - 300, "active"),
        "AC-00001": (PLACED, "active"),
        "AC-00002": (0, "paid_in_full"),
        "AC-00003": (PLACED, "closed"),
        "AC-00004": (PLACED, "recalled"),
    }
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 4
    assert await owner_db.fetchval("SELECT count(*) FROM payment_reversal") == 0
    assert await owner_db.fetchval("SELECT count(*) FROM balance_adjustment") == 1
    assert await owner_db.fetchval("SELECT count(*) FROM client_transaction") == 5
    # The same errors as CSV, with the client's column names.
    csv_text = (await admin.get(f"/api/v1/placements/{placement['placement_id']}/errors.csv")).text
    lines = csv_text.splitlines()
    assert lines[0] == "line,column,field,severity,code,reason"
    assert lines[1] == (
        "3,client_account_number,client_account_number,error,required,is empty; it is required"
    )
    assert len(lines) == 1 + len(errors)


async def test_the_same_file_again_is_the_same_placement_and_a_known_transaction_is_refused(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await place_accounts(admin, client["client_id"], 2)
    body = financial([row(0, "payment", "25.00", transaction_id="T-1")])
    first = await load_financial(admin, client["client_id"], body)
    again = await upload(admin, client["client_id"], body, kind="financial")
    assert again.status_code == 200
    assert again.json()["placement_id"] == first["placement_id"]
    # Another file reporting the same transaction, and a new one.
    second = await load_financial(
        admin,
        client["client_id"],
        financial(
            [
                row(0, "payment", "25.00", transaction_id="T-1"),
                row(1, "payment", "5.00", transaction_id="T-2"),
            ]
        ),
    )
    assert (second["rows_accepted"], second["rows_rejected"]) == (1, 1)
    [error] = await errors_of(admin, second)
    assert (error["line"], error["code"], error["reason"]) == (
        2, "duplicate_transaction",
        f"already reported on line 2 of placement {first['placement_id']}",
    )  # fmt: skip
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 2
    assert (await balances(owner_db, client["client_id"]))["AC-00000"] == (PLACED - 2_500, "active")


async def test_a_reversal_undoes_a_direct_payment_of_an_earlier_file_once(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await place_accounts(admin, client["client_id"], 1)
    await load_financial(
        admin, client["client_id"], financial([row(0, "payment", "1,244.56", transaction_id="P")])
    )
    assert (await balances(owner_db, client["client_id"]))["AC-00000"] == (0, "paid_in_full")
    reversal = row(0, "reversal", "1,244.56", original_transaction_id="P", reason="NSF",
                   transaction_date="2026-10-05", transaction_id="R")  # fmt: skip
    placement = await load_financial(
        admin, client["client_id"], financial([reversal, {**reversal, "transaction_id": "R2"}])
    )
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (1, 1)
    [error] = await errors_of(admin, placement)
    assert (error["line"], error["field"], error["code"]) == (
        3, "original_transaction_id", "payment_already_reversed",
    )  # fmt: skip
    # Reopened, owing again, the reversal dated the day the bank returned the money.
    assert (await balances(owner_db, client["client_id"]))["AC-00000"] == (PLACED, "active")
    returned = await owner_db.fetchrow(
        "SELECT reason, (returned_at AT TIME ZONE 'America/New_York')::text AS local"
        " FROM payment_reversal"
    )
    assert tuple(returned.values()) == ("NSF", "2026-10-05 00:00:00")
    kinds = await owner_db.fetch("SELECT kind FROM client_transaction ORDER BY created_at")
    assert [k["kind"] for k in kinds] == ["payment", "reversal"]


async def test_a_direct_payment_pays_the_accepted_offer_and_settles_the_account(
    admin: Caller, make_client: MakeClient, make_user: Any, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    await place_accounts(admin, client["client_id"], 1)
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account_id = await owner_db.fetchval("SELECT id FROM account")
    offer = await collector.post(
        f"/api/v1/accounts/{account_id}/offers", json={"kind": "lump_sum", "amount_cents": 100_000}
    )
    assert offer.json()["status"] == "accepted", offer.text
    await load_financial(admin, client["client_id"], financial([row(0, "payment", "1,000.00")]))
    fetched = (await admin.get(f"/api/v1/offers/{offer.json()['offer_id']}")).json()
    assert (fetched["status"], fetched["paid_cents"]) == ("fulfilled", 100_000)
    assert (await balances(owner_db, client["client_id"]))["AC-00000"] == (0, "settled_in_full")
    write_off = await owner_db.fetchval(
        "SELECT amount_cents FROM balance_adjustment WHERE kind = 'settlement_write_off'"
    )
    assert write_off == -(PLACED - 100_000)


async def test_a_client_files_touch_only_its_own_accounts(
    admin: Caller, make_client: MakeClient, make_user: Any, owner_db: asyncpg.Connection
) -> None:
    from tests.world import fingerprint

    mine, theirs = await make_client(), await make_client()
    await place_accounts(admin, mine["client_id"], 1)
    # The other client has the same number, and one this client does not have.
    await place_accounts(admin, theirs["client_id"], 2)
    before = await fingerprint(owner_db, theirs["client_id"])
    user = await make_user("client", client_id=mine["client_id"])
    placement = await load_financial(
        user, mine["client_id"],
        financial([row(0, "payment", "10.00"), row(1, "payment", "10.00"),
                   row(1, "adjustment", "-10.00")]),
    )  # fmt: skip
    assert [(e["line"], e["code"]) for e in await errors_of(user, placement)] == [
        (3, "not_found"), (4, "not_found"),
    ]  # fmt: skip
    assert await fingerprint(owner_db, theirs["client_id"]) == before
    assert (await balances(owner_db, mine["client_id"]))["AC-00000"] == (PLACED - 1_000, "active")
    # Nor may it send a file in the other client's name.
    refused = await upload(user, theirs["client_id"], financial([row(0, "payment", "1.00")]),
                           kind="financial")  # fmt: skip
    assert refused.status_code == 404
    assert await fingerprint(owner_db, theirs["client_id"]) == before


async def test_the_client_column_map_and_amounts_in_cents_and_no_transaction_ids(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    column_map = {
        "financial": {
            "columns": {"client_account_number": "Acct No", "transaction_type": "Type",
                        "amount_cents": "Amt", "transaction_date": "Posted",
                        "reason": "Memo"},
            "date_formats": ["%m/%d/%Y"],
            "amount_format": "cents",
        }
    }  # fmt: skip
    client = await make_client(column_map=column_map)
    await place_accounts(admin, client["client_id"], 1)
    body = b"Posted,Acct No,Amt,Type,Memo\r\n10/01/2026,AC-00000,1234,payment,\r\n" * 1
    body += b"10/02/2026,AC-00000,1234,payment,same again: another payment\r\n"
    body += b"10/02/2026,AC-00000,12.34,payment,\r\n"
    placement = await load_financial(admin, client["client_id"], body)
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (2, 1)
    [error] = await errors_of(admin, placement)
    assert (error["line"], error["column"], error["field"], error["code"]) == (
        4, "Amt", "amount_cents", "invalid_amount",
    )  # fmt: skip
    assert (await balances(owner_db, client["client_id"]))["AC-00000"] == (
        PLACED - 2 * 1_234, "active",
    )  # fmt: skip
    missing = await upload(admin, client["client_id"], b"Acct No,Amt\r\nAC-00000,1\r\n",
                           kind="financial")  # fmt: skip
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "header_mismatch"


async def test_a_killed_worker_resumes_a_financial_file_applying_each_row_once(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    from server.sample_files import financial_csv, new_business_csv
    from tests.placements.test_ingest_restart import kill_worker_when

    accounts, rows = 100, 3 * ingest.FINANCIAL_BATCH_ROWS + 123
    client = await make_client()
    await upload_and_load(admin, client["client_id"], new_business_csv(accounts, prefix="F"))
    response = await upload(
        admin, client["client_id"], financial_csv(accounts, rows, prefix="F"), kind="financial"
    )
    assert response.status_code == 202, response.text
    placement_id = UUID(response.json()["placement_id"])

    async def state() -> tuple[int, int, int]:
        counts = await owner_db.fetchrow(
            "SELECT rows_read, rows_accepted, (SELECT count(*) FROM client_transaction t"
            " WHERE t.placement_id = p.id) AS applied FROM placement p WHERE id = $1",
            placement_id,
        )
        assert counts is not None
        return counts["rows_read"], counts["rows_accepted"], counts["applied"]

    async def rows_applied_past_the_last_commit() -> bool:
        read, accepted, applied = await state()
        return read > 0 and applied > accepted

    await kill_worker_when(rows_applied_past_the_last_commit, placement_id)
    read, accepted, applied = await state()
    assert 0 < read < rows
    # Committed 500 rows at a time, however large the file's chunks.
    assert read % 500 == 0
    # Rows of the unfinished batch are applied, their counts are not: the resume must
    # find them done, neither applying them again nor refusing them as duplicates.
    assert applied > accepted

    assert await ingest.load_placement(placement_id) == "loaded"
    placement = (await admin.get(f"/api/v1/placements/{placement_id}")).json()
    assert (placement["rows_read"], placement["rows_accepted"], placement["rows_rejected"]) == (
        rows, rows, 0,
    )  # fmt: skip
    assert await errors_of(admin, placement) == []
    kinds = dict(
        await owner_db.fetch(
            "SELECT kind, count(*) FROM client_transaction WHERE placement_id = $1 GROUP BY kind",
            placement_id,
        )
    )
    assert sum(kinds.values()) == rows
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == kinds["payment"]
    assert await owner_db.fetchval("SELECT count(*) FROM payment_reversal") == kinds["reversal"]
    # Every cent accounted for: the balances are what was placed, less what was applied,
    # plus what reversals put back and the adjustments.
    money = await owner_db.fetchrow(
        """
        SELECT (SELECT sum(placed_balance_cents) - sum(balance_cents) FROM account) AS moved,
               (SELECT sum(applied_cents) FROM payment) AS paid,
               (SELECT sum(amount_cents - credit_removed_cents) FROM payment_reversal) AS back,
               (SELECT sum(amount_cents) FROM balance_adjustment) AS adjusted
        """
    )
    assert money["moved"] == money["paid"] - money["back"] - money["adjusted"]
