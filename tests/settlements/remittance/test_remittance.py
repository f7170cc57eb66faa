"""The remittance batch through the real routes: DESIGN.md's worked examples, periods,
reversals, carry-forward, catch-up, exactly once under parallel runs and crashes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from server.kit.settings import get_settings
from server.settlements.money import (
    ClearedPayment,
    RemittanceMethod,
    Reversal,
    line_for_payment,
    statement_lines,
    statement_totals,
)
from server.settlements.remittance import repository as remittance_repository
from server.settlements.remittance import service as remittance
from tests.fixtures import Caller, MakeAccount, MakeClient, new_key
from tests.settlements.conftest import reverse

TZ = ZoneInfo("America/New_York")
NO_HOLD = {"ach": 0, "check": 0, "card": 0}


def midnight(day: date) -> str:
    """The agency's 00:00 of `day`: the end of the daily period of the day before."""
    return datetime(day.year, day.month, day.day, tzinfo=TZ).isoformat()


Book = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def book(make_client: MakeClient, make_account: MakeAccount) -> Callable[..., Awaitable[Any]]:
    """A client (daily, no clearing hold, 30 %) with one account, and a way to pay on it."""

    async def make(method: str = "net", cycle: str = "daily", rate: int = 3000) -> Any:
        client = await make_client(
            remittance_cycle=cycle, remittance_method=method, clearing_days=NO_HOLD
        )
        account = await make_account(
            client["client_id"], principal_cents=10_000_000, fee_rate_bps=rate
        )
        return client, account

    return make


async def pay(admin: Caller, account: dict[str, Any], cents: int, on: date, to: str = "agency"
              ) -> str:  # fmt: skip
    response = await admin.post(
        f"/api/v1/accounts/{account['id']}/payments",
        headers={"Idempotency-Key": new_key()},
        json={"amount_cents": cents, "method": "ach", "paid_to": to,
              "received_at": on.isoformat()},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["cleared_on"] == on.isoformat()
    return str(response.json()["payment_id"])


async def bounce(admin: Caller, payment_id: str, on: date) -> str:
    returned = datetime(on.year, on.month, on.day, 12, tzinfo=TZ).isoformat()
    response = await reverse(admin, payment_id, returned_at=returned)
    assert response.status_code == 201, response.text
    return str(response.json()["reversal_id"])


async def run(admin: Caller, as_of: date) -> list[dict[str, Any]]:
    response = await admin.post("/api/v1/remittance/run", json={"as_of": midnight(as_of)})
    assert response.status_code == 200, response.text
    return list(response.json()["statements"])


def mine(statements: list[dict[str, Any]], client: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in statements if s["client_id"] == client["client_id"]]


D1, D2, D3, D4 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5)


async def worked_example(admin: Caller, account: dict[str, Any]) -> None:
    """DESIGN.md: a 40.00 remitted on D1 and reversed on D2; on D2 +100.00, +33.33 and a
    direct 50.00."""
    forty = await pay(admin, account, 4_000, D1)
    await run(admin, D2)
    await pay(admin, account, 10_000, D2)
    await pay(admin, account, 3_333, D2)
    await pay(admin, account, 5_000, D2, to="client")
    await bounce(admin, forty, D2)


async def test_net_worked_example(admin: Caller, book: Any) -> None:
    client, account = await book("net")
    await worked_example(admin, account)
    [second] = mine(await run(admin, D3), client)
    totals = second["totals"]
    assert totals["net_cents"] == 5_033
    assert totals["remit_cents"] == 5_033
    assert totals["invoiced_fees_cents"] == 0
    detail = (await admin.get(f"/api/v1/statements/{second['statement_id']}")).json()
    nets = sorted(line["net_cents"] for line in detail["lines"])
    assert nets == sorted([7_000, 2_333, -1_500, -2_800])


async def test_gross_worked_example(admin: Caller, book: Any) -> None:
    client, account = await book("gross")
    await worked_example(admin, account)
    [second] = mine(await run(admin, D3), client)
    totals = second["totals"]
    assert totals["remit_cents"] == 9_333
    assert totals["invoiced_fees_cents"] == 4_300
    assert totals["remit_cents"] - totals["invoiced_fees_cents"] == 5_033


async def test_fee_half_up_at_half_a_cent(admin: Caller, book: Any) -> None:
    # 50 bps of 100 cents is exactly half a cent: it rounds up.
    client, account = await book(rate=50)
    await pay(admin, account, 100, D1)
    [statement] = mine(await run(admin, D2), client)
    assert statement["totals"]["fees_cents"] == 1
    assert statement["totals"]["net_cents"] == 99
    assert line_for_payment(100, 50, "agency").fee_cents == 1


async def test_reversal_before_remittance_withdraws_both(admin: Caller, book: Any) -> None:
    client, account = await book()
    bounced = await pay(admin, account, 4_000, D1)
    await bounce(admin, bounced, D1)
    await pay(admin, account, 1_000, D1)
    [statement] = mine(await run(admin, D3), client)
    assert statement["line_count"] == 1
    assert statement["totals"]["collected_cents"] == 1_000
    # Withdrawn for good: a later run still issues nothing of it.
    assert mine(await run(admin, D4), client) == []


async def test_reversal_in_a_later_period_and_negative_carried_forward(
    admin: Caller, book: Any
) -> None:
    client, account = await book()
    big = await pay(admin, account, 10_000, D1)
    [first] = mine(await run(admin, D2), client)
    assert first["totals"]["remit_cents"] == 7_000
    await bounce(admin, big, D2)
    await pay(admin, account, 1_000, D2)
    [second] = mine(await run(admin, D3), client)
    # -70.00 + 7.00: the client owes 63.00, carried to its next statement.
    assert second["totals"]["net_cents"] == -6_300
    assert (second["totals"]["remit_cents"], second["totals"]["carried_out_cents"]) == (0, -6_300)
    await pay(admin, account, 100_000, D3)
    [third] = mine(await run(admin, D4), client)
    assert third["totals"]["carried_in_cents"] == -6_300
    assert third["totals"]["remit_cents"] == 70_000 - 6_300
    assert third["previous_statement_id"] == second["statement_id"]


async def test_a_missed_night_is_caught_up(admin: Caller, book: Any) -> None:
    client, account = await book()
    await pay(admin, account, 1_000, D1)
    await pay(admin, account, 2_000, D2)
    issued = mine(await run(admin, D3), client)
    assert [(s["period_end"][:10], s["totals"]["collected_cents"]) for s in issued] == [
        ("2026-11-03", 1_000),
        ("2026-11-04", 2_000),
    ]


async def test_statements_issued_together_are_listed_newest_period_first(
    admin: Caller, book: Any
) -> None:
    """One run catching up eight daily periods issues their statements in one transaction
    (one `created_at`): the list is by period, not by the luck of their ids."""
    client, account = await book()
    days = [D1 + timedelta(days=i) for i in range(8)]
    for day in days:
        await pay(admin, account, 1_000, day)
    issued = mine(await run(admin, days[-1] + timedelta(days=1)), client)
    assert len({s["created_at"] for s in issued}) == 1
    newest_first = [(d + timedelta(days=1)).isoformat() for d in reversed(days)]
    for limit in (50, 3):
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"client_id": client["client_id"], "limit": limit}
            page = (await admin.get("/api/v1/statements", params={**params, "cursor": cursor}
                                    if cursor else params)).json()  # fmt: skip
            seen.extend(s["period_end"][:10] for s in page["items"])
            if not (cursor := page["next_cursor"]):
                break
        assert seen == newest_first, limit


async def test_future_as_of_is_refused(admin: Caller) -> None:
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    response = await admin.post("/api/v1/remittance/run", json={"as_of": later})
    assert response.status_code == 422, response.text
    ancient = await admin.post("/api/v1/remittance/run", json={"as_of": "0001-01-01T00:00:00Z"})
    assert ancient.status_code == 422, ancient.text


async def snapshot(owner_db: asyncpg.Connection) -> list[tuple[Any, ...]]:
    """Every statement and line, without the ids a run draws at random."""
    rows = await owner_db.fetch(
        """
        SELECT s.client_id, s.period_end, s.remit_cents, s.carried_out_cents,
               s.invoiced_fees_cents, array_agg(l.movement_id ORDER BY l.movement_id) AS lines
        FROM statement s JOIN statement_line l ON l.statement_id = s.id
        GROUP BY s.id ORDER BY s.client_id, s.period_end
        """
    )
    return [tuple(r) for r in rows]


async def seed_many(admin: Caller, book: Any) -> None:
    for method in ("net", "gross"):
        _, account = await book(method)
        first = await pay(admin, account, 4_000, D1)
        await pay(admin, account, 3_333, D2)
        await pay(admin, account, 5_000, D2, to="client")
        await bounce(admin, first, D3)


async def test_parallel_runs_issue_once(
    admin: Caller, book: Any, owner_db: asyncpg.Connection
) -> None:
    await seed_many(admin, book)
    both = await asyncio.gather(
        admin.post("/api/v1/remittance/run", json={"as_of": midnight(D4)}),
        admin.post("/api/v1/remittance/run", json={"as_of": midnight(D4)}),
    )
    assert all(r.status_code == 200 for r in both)
    assert sum(len(r.json()["statements"]) for r in both) == 6
    parallel = await snapshot(owner_db)
    assert await run(admin, D4) == []
    await owner_db.execute("TRUNCATE statement_payout, statement, statement_line, remittance_run")
    await run(admin, D4)
    assert await snapshot(owner_db) == parallel


async def test_clients_issued_together_or_one_by_one_get_the_same_statements(
    admin: Caller, book: Any, owner_db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_many(admin, book)
    as_of = datetime(2026, 11, 5, tzinfo=TZ)
    assert get_settings().remittance_clients_per_transaction > 1
    await remittance.run_batch(as_of)
    together = await snapshot(owner_db)
    assert len({row[0] for row in together}) == 2
    await owner_db.execute("TRUNCATE statement_payout, statement, statement_line, remittance_run")
    one_by_one = replace(get_settings(), remittance_clients_per_transaction=1)
    monkeypatch.setattr(remittance, "get_settings", lambda: one_by_one)
    await remittance.run_batch(as_of)
    assert await snapshot(owner_db) == together


async def test_a_crash_part_way_then_rerun_equals_a_clean_run(
    admin: Caller, book: Any, owner_db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_many(admin, book)
    one_by_one = replace(get_settings(), remittance_clients_per_transaction=1)
    monkeypatch.setattr(remittance, "get_settings", lambda: one_by_one)
    real = remittance.issue_for_clients
    calls = 0

    async def crash_after_first(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("worker killed")
        return await real(*args, **kwargs)

    monkeypatch.setattr(remittance, "issue_for_clients", crash_after_first)
    as_of = datetime(2026, 11, 5, tzinfo=TZ)
    with pytest.raises(RuntimeError):
        await remittance.run_batch(as_of)
    assert len(await snapshot(owner_db)) == 3  # the first client's statements only
    monkeypatch.setattr(remittance, "issue_for_clients", real)
    await remittance.run_batch(as_of)
    after_crash = await snapshot(owner_db)
    await owner_db.execute("TRUNCATE statement_payout, statement, statement_line, remittance_run")
    await remittance.run_batch(as_of)
    assert await snapshot(owner_db) == after_crash


async def test_a_movement_recorded_during_a_run_lands_on_the_next_statement(
    admin: Caller, book: Any, owner_db: asyncpg.Connection
) -> None:
    client, account = await book()
    await pay(admin, account, 1_000, D1)
    # Hold the client's lock as a running batch would; once the batch waits for it, record
    # a payment meanwhile.
    tx = owner_db.transaction()
    await tx.start()
    await remittance_repository.hold_client_locks(owner_db, [uuid.UUID(client["client_id"])])
    batch = asyncio.create_task(run(admin, D2))
    while not await remittance_repository.waiting_for_client_locks(owner_db):
        assert not batch.done(), "the batch ran without waiting for the client's lock"
        await asyncio.sleep(0.01)
    late = await pay(admin, account, 2_000, D1)
    await tx.commit()
    [first] = mine(await batch, client)
    # The batch waited on the lock and saw the late payment: it is in D1's period.
    # A payment recorded after the statement was issued goes to the next one instead.
    after = await pay(admin, account, 500, D1)
    [second] = mine(await run(admin, D3), client)
    ids = {
        line["movement_id"]
        for line in (await admin.get(f"/api/v1/statements/{second['statement_id']}")).json()[
            "lines"
        ]
    }
    assert after in ids
    assert late not in ids
    assert first["totals"]["collected_cents"] == 3_000


async def test_statements_reconcile_with_raw_movements(
    admin: Caller, book: Any, owner_db: asyncpg.Connection, fake: Any
) -> None:
    """Random movements over a fortnight, runs on a few nights; then every statement is
    rebuilt from the raw payments and reversals with SQL of its own (numeric half-up
    rounding, not the batch's integer formula) and with money.py, equal to the cent."""
    rng = fake.random
    days = [date(2026, 11, 2) + timedelta(days=i) for i in range(14)]
    for method, cycle in (("net", "daily"), ("gross", "weekly"), ("net", "weekly")):
        _, account = await book(method, cycle, rate=rng.choice([2500, 3000, 3333, 50]))
        for _ in range(10):
            on = rng.choice(days[:-2])
            payment = await pay(admin, account, rng.randint(1, 50_000), on,
                                to=rng.choice(["agency", "agency", "client"]))  # fmt: skip
            if rng.random() < 0.4:
                await bounce(admin, payment, on + timedelta(days=rng.randint(0, 4)))
    for night in (days[3], days[9], days[13]):
        await run(admin, night)

    rebuilt = await owner_db.fetch(
        """
        WITH raw AS (
            SELECT l.statement_id, p.paid_to, p.amount_cents,
                   round(p.amount_cents * p.fee_rate_bps / 10000.0) AS fee,
                   CASE l.movement_kind WHEN 'payment' THEN 1 ELSE -1 END AS sign
            FROM statement_line l
            LEFT JOIN payment_reversal r
                ON l.movement_kind = 'reversal' AND r.id = l.movement_id
            JOIN payment p ON p.id = coalesce(r.payment_id, l.movement_id)
        )
        SELECT s.id, s.collected_cents, s.gross_cents, s.fees_cents, s.net_cents,
               sum(sign * amount_cents) AS collected,
               sum(sign * CASE paid_to WHEN 'agency' THEN amount_cents ELSE 0 END) AS gross,
               sum(sign * fee) AS fees, count(*) AS n, s.line_count
        FROM statement s JOIN raw ON raw.statement_id = s.id
        GROUP BY s.id
        """
    )
    assert rebuilt
    for row in rebuilt:
        assert (row["collected"], row["gross"], row["fees"]) == (
            row["collected_cents"], row["gross_cents"], row["fees_cents"]
        ), row  # fmt: skip
        assert row["gross"] - row["fees"] == row["net_cents"]
        assert row["n"] == row["line_count"]

    # The carry chain and remit from money.py, and the lines from money.statement_lines.
    statements = await owner_db.fetch("SELECT * FROM statement ORDER BY client_id, period_end_date")
    carried: dict[Any, int] = {}
    issued: dict[str, Any] = {}
    for s in statements:
        payments = await owner_db.fetch(
            """
            SELECT p.id::text, p.amount_cents, p.fee_rate_bps, p.paid_to, l.statement_id
            FROM payment p LEFT JOIN statement_line l
                ON l.movement_kind = 'payment' AND l.movement_id = p.id
            WHERE p.client_id = $1 AND p.cleared_on < $2
              AND (l.statement_id IS NULL OR l.statement_id = $3)
            """,
            s["client_id"], s["period_end_date"], s["id"],
        )  # fmt: skip
        reversals = await owner_db.fetch(
            """
            SELECT r.id::text, r.payment_id::text FROM payment_reversal r
            LEFT JOIN statement_line l ON l.movement_kind = 'reversal' AND l.movement_id = r.id
            WHERE r.client_id = $1 AND r.returned_at < $2
              AND (l.statement_id IS NULL OR l.statement_id = $3)
            """,
            s["client_id"], s["period_end"], s["id"],
        )  # fmt: skip
        expected = statement_lines(
            [ClearedPayment(p["id"], p["amount_cents"], p["fee_rate_bps"], p["paid_to"])
             for p in payments],
            [Reversal(r["id"], r["payment_id"]) for r in reversals],
            {k: v for k, v in issued.items()},
        )  # fmt: skip
        stored = await owner_db.fetch(
            "SELECT movement_id::text, net_cents FROM statement_line WHERE statement_id = $1",
            s["id"],
        )
        assert sorted((m, line.net_cents) for m, line in expected) == sorted(
            (r["movement_id"], r["net_cents"]) for r in stored
        )
        for movement_id, line in expected:
            if line.kind != "reversal":
                issued[movement_id] = line
        totals = statement_totals(
            [line for _, line in expected],
            RemittanceMethod(s["method"]),
            carried.get(s["client_id"], 0),
        )
        assert (s["remit_cents"], s["carried_out_cents"], s["invoiced_fees_cents"]) == (
            totals.remit_cents, totals.carried_out_cents, totals.invoiced_fees_cents
        )  # fmt: skip
        carried[s["client_id"]] = totals.carried_out_cents


async def test_statement_downloads_and_who_sees_them(
    admin: Caller, book: Any, make_user: Any
) -> None:
    client, account = await book()
    await pay(admin, account, 4_000, D1)
    [statement] = mine(await run(admin, D2), client)
    sid = statement["statement_id"]

    csv_response = await admin.get(f"/api/v1/statements/{sid}.csv")
    assert csv_response.status_code == 200, csv_response.text
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = csv_response.text.splitlines()
    assert rows[0].startswith("statement_id,client,period_start")
    assert any(",line,agency_payment," in r and ",4000,4000,1200,2800," in r for r in rows)
    assert any(",remit," in r and ",2800," in r for r in rows)

    pdf_response = await admin.get(f"/api/v1/statements/{sid}.pdf")
    assert pdf_response.status_code == 200
    assert pdf_response.headers["content-type"] == "application/pdf"
    assert pdf_response.content.startswith(b"%PDF")

    own = await make_user("client", client_id=client["client_id"])
    assert (await own.get(f"/api/v1/statements/{sid}")).status_code == 200
    listed = (await own.get("/api/v1/statements")).json()["items"]
    assert [s["statement_id"] for s in listed] == [sid]

    other, _ = await book()
    stranger = await make_user("client", client_id=other["client_id"])
    for suffix in ("", ".csv", ".pdf"):
        assert (await stranger.get(f"/api/v1/statements/{sid}{suffix}")).status_code == 404
    listed = await stranger.get(f"/api/v1/statements?client_id={client['client_id']}")
    assert listed.json()["items"] == []
    assert (await admin.get(f"/api/v1/statements/{sid}.xls")).status_code == 404
    assert (await admin.get("/api/v1/statements/not-an-id")).status_code == 404
    assert (await own.post("/api/v1/remittance/run", json={})).status_code == 403


def test_csv_escapes_a_client_name_that_is_a_formula() -> None:
    from server.settlements.remittance.schemas import StatementRead, StatementTotalsRead
    from server.settlements.remittance.statements import StatementDocument, statement_csv_text

    moment = datetime(2026, 11, 3, tzinfo=TZ)
    statement = StatementRead(
        statement_id=uuid.uuid4(), client_id=uuid.uuid4(), cycle="daily", method="net",
        period_start=moment - timedelta(days=1), period_end=moment, line_count=0,
        totals=StatementTotalsRead(0, 0, 0, 0, 0, 0, 0, 0), previous_statement_id=None,
        as_of=moment, created_at=moment, lines=[],
    )  # fmt: skip
    text = statement_csv_text(
        StatementDocument(statement, "=HYPERLINK(1)", "Agency", "Nov 2, 2026", "America/New_York")
    )
    assert ",'=HYPERLINK(1)," in text


async def test_agency_remit_command(
    admin: Caller, book: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from server.cli_actions import remit
    from server.kit.settings import get_settings

    client, account = await book()
    await pay(admin, account, 1_000, D1)
    await pay(admin, account, 2_000, D2)
    await remit(get_settings(), argparse.Namespace(as_of=D3.isoformat()))
    out = capsys.readouterr().out
    assert f"{client['client_id']}  2026-11-03  remit 700 cents" in out
    assert f"{client['client_id']}  2026-11-04  remit 1400 cents" in out
    with pytest.raises(SystemExit):
        await remit(get_settings(), argparse.Namespace(as_of="2999-01-01"))


async def test_a_line_without_its_statement_is_refused(
    admin: Caller, owner_db: asyncpg.Connection
) -> None:
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await owner_db.execute(
            """
            INSERT INTO statement_line (movement_kind, movement_id, statement_id, kind,
                payment_id, account_id, moved_on, fee_rate_bps, collected_cents, gross_cents,
                fee_cents, net_cents)
            VALUES ('payment', gen_random_uuid(), gen_random_uuid(), 'agency_payment',
                gen_random_uuid(), gen_random_uuid(), current_date, 2500, 100, 100, 25, 75)
            """
        )
    assert await owner_db.fetchval("SELECT count(*) FROM statement_line") == 0


@pytest.mark.parametrize(
    ("method", "remit", "invoiced"),
    # Net: 70.00 + 23.33 − 15.00 − 28.00 + 6.00. Gross: 100.00 + 33.33 − 40.00 remitted,
    # fees 30.00 + 10.00 + 15.00 − 12.00 − 6.00 invoiced.
    [("net", 5_633, 0), ("gross", 9_333, 3_700)],
)
async def test_a_financial_file_on_the_statements_to_the_cent(
    admin: Caller, book: Any, method: str, remit: int, invoiced: int
) -> None:
    """The worked example with its direct payment reported in the client's financial file,
    and a direct payment of an earlier file reversed: the fee on it is credited back."""
    from tests.placements.test_financial_files import financial, load_financial

    client, account = await book(method)
    number = account["client_account_number"]

    def row(kind: str, amount: str, day: date, **fields: str) -> dict[str, str]:
        return {"client_account_number": number, "transaction_type": kind,
                "amount_cents": amount, "transaction_date": day.isoformat(),
                "payment_method": "ach", **fields}  # fmt: skip

    forty = await pay(admin, account, 4_000, D1)
    await load_financial(
        admin, client["client_id"], financial([row("payment", "20.00", D1, transaction_id="A")])
    )
    [first] = mine(await run(admin, D2), client)
    # 40.00 at 30 %: net 28.00; 20.00 paid to the client: it owes the fee, 6.00.
    assert (first["totals"]["net_cents"], first["totals"]["fees_cents"]) == (2_200, 1_800)

    await pay(admin, account, 10_000, D2)
    await pay(admin, account, 3_333, D2)
    await bounce(admin, forty, D2)
    placement = await load_financial(
        admin,
        client["client_id"],
        financial(
            [
                row("payment", "50.00", D2, transaction_id="B"),
                row("adjustment", "-1,000.00", D2, transaction_id="C"),
                row("reversal", "20.00", D2, transaction_id="D", original_transaction_id="A"),
                # Paid and returned within the period: on no statement.
                row("payment", "10.00", D2, transaction_id="E"),
                row("reversal", "10.00", D2, transaction_id="F", original_transaction_id="E"),
            ]
        ),
    )
    assert placement["rows_accepted"] == 5
    [second] = mine(await run(admin, D3), client)
    totals = second["totals"]
    assert (totals["remit_cents"], totals["invoiced_fees_cents"]) == (remit, invoiced)
    assert totals["net_cents"] == 5_633
    detail = (await admin.get(f"/api/v1/statements/{second['statement_id']}")).json()
    lines = sorted((line["kind"], line["net_cents"], line["fee_cents"]) for line in detail["lines"])
    # The lines are the same whatever the method; only what is remitted differs.
    assert lines == sorted(
        [
            ("agency_payment", 7_000, 3_000),
            ("agency_payment", 2_333, 1_000),
            ("direct_payment", -1_500, 1_500),
            ("reversal", -2_800, -1_200),
            ("reversal", 600, -600),
        ]
    )
