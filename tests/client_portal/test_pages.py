"""Every page renders with the signed-in client's data, and each form does its work."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from uuid import UUID

import asyncpg
import httpx

from server.kit.dollars import dollars
from server.sample_files import new_business_csv
from tests import world as world_module
from tests.client_portal.conftest import Browser, NewBrowser, PortalWorld

FETCH = {"X-Requested-With": "portal"}


def with_a_bad_row(rows: int, line: int) -> bytes:
    """A new-business file whose `line` (1 = the header) has a balance that is not money."""
    text = new_business_csv(rows, seed=11, prefix="PRT").decode()
    records = list(csv.reader(io.StringIO(text)))
    records[line - 1][records[0].index("principal")] = "twelve dollars"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(records)
    return out.getvalue().encode()


async def upload(browser: Browser, body: bytes, **headers: str) -> httpx.Response:
    return await browser.http.post(
        "/portal/placements/upload",
        params={"kind": "new_business", "tier": "primary", "file_name": "march.csv"},
        content=body,
        headers={"Content-Type": "text/csv", "X-CSRF-Token": browser.csrf, **FETCH, **headers},
    )


async def statement_holding(side: world_module.Side, collected_cents: int) -> str:
    """The id of the client's one statement that collected exactly this much (the world
    issues one per period its payments cleared in: which is newest depends on the day)."""
    statements = (await side.user.get("/api/v1/statements")).json()["items"]
    found = [s for s in statements if s["totals"]["collected_cents"] == collected_cents]
    assert len(found) == 1, statements
    return str(found[0]["statement_id"])


async def test_every_page_renders_the_clients_data(portal_world: PortalWorld) -> None:
    a, side = portal_world.a, portal_world.world.a
    account_number = side.account["client_account_number"]
    statement_id = await statement_holding(side, 2_000)
    pages = {
        # The world's account: $1,000.00 placed, $10.00 and $20.00 paid.
        "/portal/dashboard": [
            "Liquidation by placement month",
            "<svg",
            side.client["name"],
            "$1,000.00 placed",
            "$30.00",
            "3.0%",
        ],
        "/portal/placements": [
            "seed.csv",
            "Upload a file",
            "Your file layouts",
            '<td data-label="Column" class="mono">original_creditor</td>',
            "Amounts in dollars; dates as <strong>YYYY-MM-DD or MM/DD/YYYY</strong>",
        ],
        "/portal/accounts": [account_number],
        f"/portal/accounts?q={account_number}": [account_number],
        f"/portal/accounts/{side.account['id']}": [account_number, "Promise to pay", "$10.00"],
        "/portal/approvals": [account_number, "Accept offer"],
        "/portal/statements": [f"/portal/statements/{statement_id}.pdf"],
        f"/portal/statements/{statement_id}": ["$20.00", "Download PDF"],
    }
    for url, expected in pages.items():
        response = await a.get(url)
        assert response.status_code == 200, (url, response.text[:2000])
        assert response.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        for text in expected:
            assert text in response.text, (url, text)


async def test_an_account_never_shows_what_collectors_wrote(portal_world: PortalWorld) -> None:
    side = portal_world.world.a
    call = await side.collector.post(
        f"/api/v1/accounts/{side.account['id']}/calls",
        json={"phone": "+16145550199", "direction": "outbound",
              "started_at": "2025-06-10T12:00:00-04:00", "duration_s": 60,
              "outcome": "right_party_contact", "notes": "Debtor sounded evasive-7731"},
    )  # fmt: skip
    assert call.status_code == 201, call.text
    page = await portal_world.a.get(f"/portal/accounts/{side.account['id']}")
    assert "Right party contact" in page.text
    assert "evasive-7731" not in page.text
    assert "Not yet mailed" in page.text


async def test_upload_with_a_bad_row_shows_the_error_and_both_downloads(
    portal_world: PortalWorld,
) -> None:
    from server.placements import ingest

    a = portal_world.a
    response = await upload(a, with_a_bad_row(8, line=4))
    assert response.status_code == 202, response.text
    location = response.json()["location"]
    assert (await upload(a, with_a_bad_row(8, line=4))).json()["location"] == location

    pending = await a.get(location + "/progress", headers=FETCH)
    assert "data-poll-url" in pending.text
    assert await ingest.load_placement(UUID(response.json()["placement_id"])) == "loaded"
    page = await a.get(location)
    assert page.status_code == 200
    assert "data-poll-url" not in page.text
    assert "is not an amount in dollars, such as 1,234.56" in page.text
    assert ">4<" in page.text
    errors = await a.get(location + "/errors.csv")
    assert errors.status_code == 200
    assert "is not an amount in dollars, such as 1,234.56" in errors.text
    acknowledgement = await a.get(location + "/acknowledgement.csv")
    assert acknowledgement.status_code == 200
    lines = list(csv.reader(io.StringIO(acknowledgement.text)))
    assert len(lines) == 1 + 7 + 1
    total = int(lines[-1][3])
    assert lines[-1][:2] == ["total", "7 accounts"]
    assert total == sum(int(line[3]) for line in lines[1:-1])
    # The page says the same: how many accounts, and their balance.
    placed = f"<strong>7</strong> accounts with a balance of <strong>${total / 100:,.2f}</strong>"
    assert placed in page.text


async def test_an_upload_whose_header_does_not_match_is_refused_with_its_reasons(
    portal_world: PortalWorld,
) -> None:
    response = await upload(portal_world.a, b"account,name\r\n1,x\r\n")
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "header_mismatch"
    assert body["details"]


async def test_recall_one_account_and_a_list(
    portal_world: PortalWorld, make_account: object, owner_db: asyncpg.Connection
) -> None:
    a, side = portal_world.a, portal_world.world.a
    refused = await a.post_form(f"/portal/accounts/{side.account['id']}/recall", {"reason": ""})
    assert refused.status_code == 422
    assert "field-error" in refused.text
    url = f"/portal/accounts/{side.account['id']}/recall"
    asked = await a.post_form(url, {"reason": "paid us directly"})
    assert asked.status_code == 200
    balance = await owner_db.fetchval(
        "SELECT balance_cents FROM account WHERE id = $1", UUID(side.account["id"])
    )
    assert f"Recall 1 account ({dollars(balance)})" in asked.text
    still = await owner_db.fetchval(
        "SELECT status FROM account WHERE id = $1", UUID(side.account["id"])
    )
    assert still == "active"
    done = await a.post_form(url, {"reason": "paid us directly", "confirmed": "yes"})
    assert done.status_code == 303
    assert (await a.get(done.headers["location"])).text.count("Recalled") >= 1
    status = await owner_db.fetchval(
        "SELECT status FROM account WHERE id = $1", UUID(side.account["id"])
    )
    assert status == "recalled"

    make = make_account  # type: ignore[assignment]
    others = [await make(side.client_id) for _ in range(2)]  # type: ignore[operator]
    unknown = await a.post_form(
        "/portal/accounts/recall", {"numbers": "NOPE-1", "reason": "sold the debt"}
    )
    assert unknown.status_code == 422
    assert "NOPE-1" in unknown.text
    numbers = "\n".join(o["client_account_number"] for o in others)
    asked = await a.post_form("/portal/accounts/recall", {"numbers": numbers, "reason": "sold"})
    assert asked.status_code == 200
    total = sum(int(o["balance_cents"]) for o in others)
    assert f"Recall 2 accounts ({dollars(total)})" in asked.text
    assert all(o["client_account_number"] in asked.text for o in others)
    ids = [o["id"] for o in others]
    listed = await a.post_form(
        "/portal/accounts/recall", {"account_id": ids, "reason": "sold", "confirmed": "yes"}
    )
    assert listed.status_code == 303
    recalled = await owner_db.fetchval(
        "SELECT count(*) FROM account WHERE id = ANY($1::uuid[]) AND status = 'recalled'",
        [UUID(o["id"]) for o in others],
    )
    assert recalled == 2


async def test_accept_and_reject_offers(
    portal_world: PortalWorld, owner_db: asyncpg.Connection
) -> None:
    a = portal_world.a
    url = f"/portal/approvals/{portal_world.a_offer}"
    no_reason = await a.post_form(url, {"decision": "reject", "reason": ""})
    assert no_reason.status_code == 422
    assert "say why" in no_reason.text
    accepted = await a.post_form(url, {"decision": "accept", "reason": "fair"})
    assert accepted.status_code == 303
    assert "accepted" in (await a.get(accepted.headers["location"])).text
    row = await owner_db.fetchrow(
        "SELECT status, decided_role FROM offer WHERE id = $1", UUID(portal_world.a_offer)
    )
    assert (row["status"], row["decided_role"]) == ("accepted", "client")
    again = await a.post_form(url, {"decision": "reject", "reason": "changed my mind"})
    assert again.status_code == 409
    assert "text/html" in again.headers["content-type"]


async def test_statement_downloads(portal_world: PortalWorld) -> None:
    side = portal_world.world.a
    statement_id = await statement_holding(side, 2_000)
    pdf = await portal_world.a.get(f"/portal/statements/{statement_id}.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    csv_file = await portal_world.a.get(f"/portal/statements/{statement_id}.csv")
    assert csv_file.status_code == 200
    assert csv_file.text.startswith("statement_id,")


async def test_errors_are_pages_under_portal_and_json_under_api(
    portal_world: PortalWorld, http: httpx.AsyncClient
) -> None:
    page = await portal_world.a.get("/portal/no-such-page")
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    api = await http.get("/api/v1/no-such-route")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    assert "/portal" not in (await http.get("/schema/openapi.json")).text


def _day(value: date) -> str:
    """A date as the portal writes it (Nov 2, 2026)."""
    return f"{value:%b} {value.day}, {value.year}"


_PAYMENT_ROW = re.compile(
    r'<td data-label="Received" class="nowrap">([^<]+)</td>.*?'
    r'<td class="num" data-label="Balance after">([^<]+)</td>',
    re.DOTALL,
)


async def test_the_account_page_lists_payments_as_the_api_does(portal_world: PortalWorld) -> None:
    """Newest received first, each with the running balance in that order, even when a
    payment received earlier was recorded last."""
    side = portal_world.world.a
    account_id = side.account["id"]
    await world_module.record_payment(
        portal_world.world.admin, side, amount_cents=500, received_at="2026-09-15"
    )
    listed = (await side.user.get(f"/api/v1/accounts/{account_id}/payments")).json()["items"]
    assert [p["received_on"] for p in listed] == ["2026-11-02", "2026-10-01", "2026-09-15"]
    detail = (await side.user.get(f"/api/v1/accounts/{account_id}")).json()
    placed = int(detail["placed_balance_cents"])
    assert [p["balance_after_cents"] for p in listed] == [
        placed - 3_500, placed - 2_500, placed - 500,
    ]  # fmt: skip

    page = await portal_world.a.get(f"/portal/accounts/{account_id}")
    assert page.status_code == 200, page.text
    shown = _PAYMENT_ROW.findall(page.text.split('id="payments-title"', 1)[1])
    assert shown == [
        (_day(date.fromisoformat(p["received_on"])), dollars(p["balance_after_cents"]))
        for p in listed
    ]
    portal_csv = await portal_world.a.get(f"/portal/accounts/{account_id}/payments.csv")
    assert portal_csv.status_code == 200
    assert "attachment" in portal_csv.headers["content-disposition"]
    api_csv = await side.user.get(f"/api/v1/accounts/{account_id}/payments.csv")
    assert portal_csv.text == api_csv.text
    rows = list(csv.DictReader(io.StringIO(portal_csv.text)))
    assert [(r["received_on"], int(r["balance_after_cents"])) for r in rows] == [
        (p["received_on"], p["balance_after_cents"]) for p in listed
    ]
    # Another client's account is not found, as a page and as a download.
    other = portal_world.world.b.account["id"]
    assert (await portal_world.a.get(f"/portal/accounts/{other}/payments.csv")).status_code == 404


async def test_a_held_file_is_confirmed_or_cancelled_on_its_page(
    portal_world: PortalWorld,
) -> None:
    """The world's account is $1,000.00: a file of $25,000.00 balances is 25× that, held
    until the client confirms (or cancels) it on the placement's page."""
    from server.placements import ingest
    from tests.placements.test_ingest import csv_bytes, good_row

    a = portal_world.a
    # Cancelled first: a cancelled file is no history, so the second is held as well.
    for action, status in (("cancel", "rejected"), ("confirm", "loaded")):
        body = csv_bytes([good_row(1, principal_cents="25000", interest_cents="0",
                                   client_account_number=f"HELD-{action}")])  # fmt: skip
        response = await upload(a, body)
        assert response.status_code == 202, response.text
        location = response.json()["location"]
        held = await ingest.load_placement(UUID(response.json()["placement_id"]))
        assert held == "awaiting_confirmation"
        page = await a.get(location)
        assert "Please confirm these balances" in page.text
        assert "<strong>$25,000.00</strong>" in page.text
        assert f'action="{location}/{action}"' in page.text
        refused = await a.post_form(f"{location}/{action}", {}, csrf=False)
        assert refused.status_code == 403
        done = await a.post_form(f"{location}/{action}", {})
        assert done.status_code == 303, done.text
        after = await a.get(done.headers["location"])
        assert "Please confirm these balances" not in after.text
        api = await portal_world.world.admin.get(
            f"/api/v1/placements/{response.json()['placement_id']}"
        )
        assert api.json()["status"] == status
        again = await a.post_form(f"{location}/{action}", {})
        assert again.status_code == 409


async def test_a_404_keeps_the_navigation_when_signed_in(
    portal_world: PortalWorld, browser: NewBrowser, owner_db: asyncpg.Connection
) -> None:
    statement = await world_module.id_of(owner_db, "statement_id", portal_world.world.b.client_id)
    for url in ["/portal/no-such-page", f"/portal/statements/{statement}"]:
        response = await portal_world.a.get(url)
        assert response.status_code == 404, url
        assert 'aria-label="Main"' in response.text, url
        assert 'href="/portal/statements"' in response.text, url
    signed_out = await (await browser()).get("/portal/no-such-page")
    assert signed_out.status_code == 404
    assert 'aria-label="Main"' not in signed_out.text
