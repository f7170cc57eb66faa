"""Every write route answers what a read says right after: the response body of each
POST and PATCH is compared with a GET of the same resource (and of what it moved: the
account's status and balance, the offer's state) made straight after it.

One check per operation, named by its operationId; `test_every_write_route_is_checked`
reads the OpenAPI schema, so a write route added later fails here until it has its check
(as the isolation matrix does for ids).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from faker import Faker

from server.kit import clock
from server.placements import ingest
from server.sample_files import new_business_csv
from tests.disputes.answering import PDF, answer_by_letter, request_of
from tests.fixtures import PASSWORD, Caller, MakeAccount, MakeClient, MakeUser, new_key
from tests.placements.test_ingest import csv_bytes, good_row

WRITE_METHODS = ("post", "put", "patch")
# Writes with nothing to read back, and why.
NOT_RESOURCES = {
    "CheckCall": "writes nothing: it asks whether a call may be made",
}


@dataclass
class Shop:
    http: httpx.AsyncClient
    admin: Caller
    supervisor: Caller
    client: dict[str, Any]
    collector: Caller
    account: dict[str, Any]
    make_user: MakeUser
    make_account: MakeAccount

    @property
    def account_id(self) -> str:
        return str(self.account["id"])

    async def fresh_account(self, principal_cents: int = 100_000) -> str:
        made = await self.make_account(self.client["client_id"], principal_cents=principal_cents)
        return str(made["id"])


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _moment_free(body: Any) -> Any:
    """An account without its call section: that is the verdict of the moment it is read
    (the time, the local clocks), so no two reads of it are equal."""
    if isinstance(body, dict) and isinstance(body.get("sections"), dict):
        return {**body, "sections": {k: v for k, v in body["sections"].items() if k != "call"}}
    return body


async def _read(caller: Caller, url: str, **params: Any) -> Any:
    return _moment_free(_ok(await caller.get(url, params=params)))


async def _pay(shop: Shop, account_id: str, **body: Any) -> httpx.Response:
    return await shop.admin.post(
        f"/api/v1/accounts/{account_id}/payments",
        headers={"Idempotency-Key": new_key()},
        json={"amount_cents": 2_500, "method": "ach", "paid_to": "agency",
              "received_at": "2026-10-01", **body},
    )  # fmt: skip


async def _offer(shop: Shop, account_id: str, amount_cents: int) -> dict[str, Any]:
    made: dict[str, Any] = _ok(
        await shop.collector.post(
            f"/api/v1/accounts/{account_id}/offers",
            json={"kind": "lump_sum", "amount_cents": amount_cents},
        ),
        201,
    )
    return made


async def _account_moved_as_answered(shop: Shop, answer: dict[str, Any]) -> None:
    """The account's status and balance are the ones a money movement answered."""
    account = await _read(shop.admin, f"/api/v1/accounts/{answer['account_id']}")
    assert (account["status"], account["balance_cents"]) == (
        answer["account_status"], answer["balance_after_cents"],
    )  # fmt: skip


# --- one check per write operation ----------------------------------------------------------


async def login(shop: Shop) -> None:
    pair = _ok(
        await shop.http.post(
            "/api/v1/auth/login",
            json={"username": shop.collector.username, "password": PASSWORD},
        )
    )
    me = await _read(Caller(shop.http, pair["access_token"]), "/api/v1/me")
    assert (me["id"], me["username"]) == (shop.collector.user_id, shop.collector.username)


async def refresh_token(shop: Shop) -> None:
    first = _ok(
        await shop.http.post(
            "/api/v1/auth/login",
            json={"username": shop.collector.username, "password": PASSWORD},
        )
    )
    pair = _ok(
        await shop.http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    )
    me = await _read(Caller(shop.http, pair["access_token"]), "/api/v1/me")
    assert me["username"] == shop.collector.username


async def create_user(shop: Shop) -> None:
    username = f"collector.{new_key()[:12]}"
    made = _ok(
        await shop.admin.post(
            "/api/v1/users",
            json={"username": username, "password": PASSWORD, "role": "collector",
                  "client_ids": [shop.client["client_id"]], "capacity": 7},
        ),
        201,
    )  # fmt: skip
    pair = _ok(
        await shop.http.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
    )
    me = await _read(Caller(shop.http, pair["access_token"]), "/api/v1/me")
    assert (me["id"], me["username"], me["role"], me["client_ids"]) == (
        made["user_id"], made["username"], made["role"], made["client_ids"],
    )  # fmt: skip
    queue = await _read(shop.admin, f"/api/v1/queues/{made['user_id']}")
    assert queue["capacity"] == made["capacity"] == 7


async def update_collector(shop: Shop) -> None:
    other = (await _made_client(shop))["client_id"]
    updated = _ok(
        await shop.admin.patch(
            f"/api/v1/collectors/{shop.collector.user_id}",
            json={"capacity": 3, "client_ids": [shop.client["client_id"], other]},
        )
    )
    me = await _read(shop.collector, "/api/v1/me")
    assert sorted(me["client_ids"]) == sorted(updated["client_ids"])
    queue = await _read(shop.admin, f"/api/v1/queues/{shop.collector.user_id}")
    assert queue["capacity"] == updated["capacity"] == 3


async def update_user(shop: Shop) -> None:
    supervisor = await shop.make_user("supervisor")
    updated = _ok(
        await shop.admin.patch(f"/api/v1/users/{supervisor.user_id}", json={"active": False})
    )
    listed = await _read(shop.admin, "/api/v1/users", role="supervisor", limit=200)
    found = next(u for u in listed["items"] if u["user_id"] == updated["user_id"])
    assert found == _moment_free(updated)


async def _made_client(shop: Shop) -> dict[str, Any]:
    """A second client with the first one's settings."""
    client = await _read(shop.admin, f"/api/v1/clients/{shop.client['client_id']}")
    body = {k: client[k] for k in ("fee_rates_bps", "remittance_cycle", "remittance_method",
                                   "clearing_days", "authority")}  # fmt: skip
    made: dict[str, Any] = _ok(
        await shop.admin.post("/api/v1/clients", json={**body, "name": f"Other {new_key()}"}),
        201,
    )
    return made


async def create_api_token(shop: Shop) -> None:
    url = f"/api/v1/clients/{shop.client['client_id']}/tokens"
    made = _ok(await shop.admin.post(url, json={"name": "nightly"}), 201)
    listed = [t for t in await _read(shop.admin, url) if t["token_id"] == made["token_id"]]
    secretless = {k: v for k, v in made.items() if k != "token"}
    assert listed == [{**secretless, "revoked_at": None, "last_used_at": None}]


async def create_client(shop: Shop) -> None:
    made = await _made_client(shop)
    assert await _read(shop.admin, f"/api/v1/clients/{made['client_id']}") == made


async def update_client(shop: Shop) -> None:
    url = f"/api/v1/clients/{shop.client['client_id']}"
    updated = _ok(
        await shop.admin.patch(url, json={"remittance_cycle": "weekly", "name": "Renamed Co"})
    )
    assert updated["name"] == "Renamed Co"
    assert await _read(shop.admin, url) == updated


async def set_client_column_map(shop: Shop) -> None:
    url = f"/api/v1/clients/{shop.client['client_id']}"
    recall = {"columns": {"client_account_number": "Acct No", "reason": "Why"}}
    updated = _ok(
        await shop.admin.request(
            "PUT", f"{url}/column-map", json={"kind": "recall", "column_map": recall}
        )
    )
    assert updated["column_map"]["recall"] == recall
    assert await _read(shop.admin, url) == updated


async def create_placement(shop: Shop) -> None:
    made = _ok(
        await shop.admin.post(
            "/api/v1/placements",
            params={"client_id": shop.client["client_id"], "kind": "new_business",
                    "tier": "primary"},
            content=new_business_csv(3, seed=5, prefix="WRT"),
            headers={"Content-Type": "text/csv",
                     "Content-Disposition": 'attachment; filename="writes.csv"'},
        ),
        202,
    )  # fmt: skip
    # No worker runs in the tests: the placement is as the upload left it.
    assert await _read(shop.admin, f"/api/v1/placements/{made['placement_id']}") == made


def _decide_held_placement(action: str) -> Check:
    """Confirm or cancel a file held for the client: a first file above the client's
    plausible-balance ceiling, decided by the client's own user."""

    async def check(shop: Shop) -> None:
        made = await _made_client(shop)
        user = await shop.make_user("client", client_id=made["client_id"])
        body = csv_bytes([good_row(1, principal_cents="250000.00")])
        uploaded = _ok(
            await shop.admin.post(
                "/api/v1/placements", params={"client_id": made["client_id"]}, content=body,
                headers={"Content-Type": "text/csv"},
            ),
            202,
        )  # fmt: skip
        await ingest.load_placement(UUID(uploaded["placement_id"]))
        url = f"/api/v1/placements/{uploaded['placement_id']}"
        assert (await _read(user, url))["status"] == "awaiting_confirmation"
        decided = _ok(await user.post(f"{url}/{action}"))
        assert await _read(user, url) == decided

    return check


def _days_ago(days: int) -> str:
    return (clock.agency_today() - timedelta(days=days)).isoformat()


def _status_action(action: str, body: dict[str, Any]) -> Check:
    async def check(shop: Shop) -> None:
        account_id = await shop.fresh_account()
        if action == "verification":
            # The block the supervisor's verification lifts: a client's maintenance file's
            # (a dispute on record lifts only when its answer is mailed).
            number = (await _read(shop.admin, f"/api/v1/accounts/{account_id}"))[
                "client_account_number"
            ]
            uploaded = _ok(await shop.admin.post(
                "/api/v1/placements",
                params={"client_id": shop.client["client_id"], "kind": "maintenance"},
                content=f"client_account_number,status\r\n{number},dispute\r\n".encode(),
                headers={"Content-Type": "text/csv"},
            ), 202)  # fmt: skip
            await ingest.load_placement(UUID(uploaded["placement_id"]))
        if action == "consent":
            _ok(await shop.admin.post(
                f"/api/v1/accounts/{account_id}/cease",
                json={"reason": "stop", "channel": "written",
                      "received_at": (clock.now() - timedelta(days=9)).isoformat()},
            ))  # fmt: skip
        changed = _moment_free(
            _ok(await shop.admin.post(f"/api/v1/accounts/{account_id}/{action}", json=body))
        )
        assert await _read(shop.admin, f"/api/v1/accounts/{account_id}") == changed

    return check


async def record_call(shop: Shop) -> None:
    recorded = _ok(
        await shop.collector.post(
            f"/api/v1/accounts/{shop.account_id}/calls",
            json={"phone": "+16145550199", "direction": "outbound",
                  "started_at": "2025-06-02T21:30:00-04:00", "duration_s": 90,
                  "outcome": "no_answer"},
        ),
        201,
    )  # fmt: skip
    assert recorded["violations"], "a call at 21:30 is meant to be a finding"
    account = await _read(shop.admin, f"/api/v1/accounts/{shop.account_id}")
    calls = [c for c in account["sections"]["contacts"]["recent_calls"]
             if c["call_id"] == recorded["call_id"]]  # fmt: skip
    assert len(calls) == 1
    assert sorted(calls[0]["violations"]) == sorted(v["rule"] for v in recorded["violations"])
    listed = await _read(shop.admin, "/api/v1/violations", client_id=shop.client["client_id"])
    found = [v for v in listed["items"] if v["call_id"] == recorded["call_id"]]
    assert sorted(r for v in found for r in v["rules"]) == sorted(
        v["rule"] for v in recorded["violations"]
    )


async def add_account_note(shop: Shop) -> None:
    note = _ok(
        await shop.collector.post(
            f"/api/v1/accounts/{shop.account_id}/notes", json={"text": "Consumer wrote in"}
        ),
        201,
    )
    listed = await _read(shop.admin, f"/api/v1/accounts/{shop.account_id}/notes")
    assert listed["items"] == [note]


async def record_dispute(shop: Shop) -> None:
    dispute = _ok(
        await shop.collector.post(
            f"/api/v1/accounts/{shop.account_id}/disputes",
            json={"channel": "oral", "words": "Says part was paid", "scope": "partial",
                  "disputed_cents": 20_000},
        ),
        201,
    )  # fmt: skip
    listed = await _read(shop.admin, f"/api/v1/accounts/{shop.account_id}/disputes")
    assert listed["items"] == [dispute]
    account = await _read(shop.admin, f"/api/v1/accounts/{shop.account_id}")
    assert account["sections"]["disputes"] == [dispute]
    assert (account["status"], account["disputed"]) == ("active", True)


def _write_message(thread: str) -> Check:
    async def check(shop: Shop) -> None:
        url = f"/api/v1/{thread}s/{shop.account[thread + '_id' if thread != 'account' else 'id']}"
        client = await shop.make_user("client", client_id=shop.client["client_id"])
        written = _ok(await client.post(f"{url}/messages", json={"body": "Why this offer?"}), 201)
        assert (await _read(client, f"{url}/messages"))["items"] == [written]
        # The agency's side reads it as unread until it marks it.
        seen = (await _read(shop.admin, f"{url}/messages"))["items"]
        assert seen == [{**written, "read": False}]

    return check


def _mark_read(thread: str) -> Check:
    async def check(shop: Shop) -> None:
        url = f"/api/v1/{thread}s/{shop.account[thread + '_id' if thread != 'account' else 'id']}"
        client = await shop.make_user("client", client_id=shop.client["client_id"])
        _ok(await client.post(f"{url}/messages", json={"body": "Hello"}), 201)
        marked = _ok(await shop.admin.post(f"{url}/messages/read"))
        assert marked == {"marked": 1, "unread": 0}
        assert marked["unread"] == (await _read(shop.admin, "/api/v1/messages/unread"))["unread"]
        assert [m["read"] for m in (await _read(shop.admin, f"{url}/messages"))["items"]] == [True]

    return check


async def set_notice_preferences(shop: Shop) -> None:
    client = await shop.make_user("client", client_id=shop.client["client_id"])
    body = {"email": "ops@shop.example", "switched_off": ["message", "file_loaded"]}
    answer = _ok(await client.request("PUT", "/api/v1/me/notices", json=body))
    assert answer == await _read(client, "/api/v1/me/notices")
    assert [k["kind"] for k in answer["kinds"] if not k["switched_on"]] == [
        "file_loaded",
        "message",
    ]


async def mark_dispute_duplicate(shop: Shop) -> None:
    url = f"/api/v1/accounts/{shop.account_id}/disputes"
    earlier = (clock.now() - timedelta(days=5)).isoformat()
    first = _ok(
        await shop.collector.post(
            url, json={"channel": "written", "words": "Not mine", "received_at": earlier}
        ),
        201,
    )
    await answer_by_letter(shop.admin, shop.admin, first["dispute_id"])
    repeat = _ok(
        await shop.collector.post(url, json={"channel": "written", "words": "Not mine"}), 201
    )
    marked = _ok(
        await shop.supervisor.post(
            f"/api/v1/disputes/{repeat['dispute_id']}/duplicate",
            json={"duplicate_of": first["dispute_id"], "reason": "nothing new"},
        )
    )
    listed = await _read(shop.admin, url)
    assert next(d for d in listed["items"] if d["dispute_id"] == repeat["dispute_id"]) == marked


def _verification(step: str) -> Check:
    """A written dispute's verification request: a document uploaded, the answer, or the
    recall instead (an admin on the client's behalf), each read back from the request."""

    async def check(shop: Shop) -> None:
        account_id = await shop.fresh_account()
        dispute = _ok(await shop.collector.post(
            f"/api/v1/accounts/{account_id}/disputes",
            json={"channel": "written", "words": "Not mine"},
        ), 201)  # fmt: skip
        request = (await request_of(shop.admin, dispute["dispute_id"]))["request_id"]
        url = f"/api/v1/verification-requests/{request}"
        document = _ok(await shop.admin.post(
            f"{url}/documents", params={"kind": "contract", "file_name": "c.pdf"}, content=PDF,
            headers={"Content-Type": "application/pdf"},
        ), 201)  # fmt: skip
        if step == "upload":
            assert (await _read(shop.admin, url))["documents"] == [document]
            return
        body = {"note": "signed"} if step == "answer" else {"reason": "cannot find it"}
        answered = _ok(await shop.admin.post(f"{url}/{step}", json=body))
        assert await _read(shop.admin, url) == answered

    return check


def _preference(method: str, path: str, body: dict[str, Any]) -> Check:
    """A contact preference written on a fresh account answers the account's detail; `path`
    may name `{phone_id}`, the account's first number."""

    async def check(shop: Shop) -> None:
        account_id = await shop.fresh_account()
        url = f"/api/v1/accounts/{account_id}/{path}"
        if "{phone_id}" in path:
            detail = await _read(shop.admin, f"/api/v1/accounts/{account_id}")
            url = url.format(phone_id=detail["debtor"]["phones"][0]["phone_id"])
        answer = await shop.collector.request(method, url, json=body)
        assert answer.status_code in (200, 201), answer.text
        assert await _read(shop.collector, f"/api/v1/accounts/{account_id}") == _moment_free(
            answer.json()
        )

    return check


async def _queue_total(shop: Shop) -> int:
    queue = await _read(shop.admin, f"/api/v1/queues/{shop.collector.user_id}", limit=500)
    return sum(len(item["account_ids"]) for item in queue["items"])


async def run_dispatch(shop: Shop) -> None:
    ran = _ok(await shop.supervisor.post("/api/v1/dispatch/run"))
    # One collector in this world: everything queued is in its queue.
    people = await _read(shop.admin, f"/api/v1/queues/{shop.collector.user_id}", limit=500)
    assert ran["queued"] == len(people["items"]) > 0
    assert ran["scored"] >= await _queue_total(shop)


async def next_account(shop: Shop) -> None:
    _ok(await shop.supervisor.post("/api/v1/dispatch/run"))
    claimed = _ok(await shop.collector.post("/api/v1/queues/me/next"))
    queue = await _read(shop.collector, "/api/v1/queues/me")
    leased = [(i["leased_account_id"], i["leased_until"]) for i in queue["items"]
              if i["leased_account_id"] is not None]  # fmt: skip
    if claimed["account"] is None:
        # Outside calling hours where the debtor lives: nothing was leased.
        assert leased == []
    else:
        assert leased == [(claimed["account"]["account_id"], claimed["lease_expires_at"])]


async def release_account(shop: Shop) -> None:
    _ok(await shop.supervisor.post("/api/v1/dispatch/run"))
    claimed = _ok(await shop.collector.post("/api/v1/queues/me/next"))
    response = await shop.collector.post(
        "/api/v1/queues/me/release", json={"account_id": shop.account_id}
    )
    if claimed["account"] is None:
        # Outside calling hours where the debtor lives: nothing was leased to release.
        assert response.status_code == 404, response.text
    else:
        assert _ok(response)["released"] is True
    queue = await _read(shop.collector, "/api/v1/queues/me")
    assert [i for i in queue["items"] if i["leased_account_id"] is not None] == []


async def create_payment(shop: Shop) -> None:
    account_id = await shop.fresh_account(100_000)
    offer = await _offer(shop, account_id, 80_000)
    plain = _ok(await _pay(shop, account_id, amount_cents=10_000, received_at="2026-10-01"), 201)
    assert await _read(shop.admin, f"/api/v1/payments/{plain['payment_id']}") == plain
    await _account_moved_as_answered(shop, plain)
    assert (await _read(shop.admin, f"/api/v1/offers/{offer['offer_id']}"))["status"] == "accepted"
    # The payment that pays the settlement writes off the rest: settled, nothing left.
    settling = _ok(
        await _pay(shop, account_id, amount_cents=80_000, received_at="2026-10-02",
                   offer_id=offer["offer_id"]),
        201,
    )  # fmt: skip
    assert (settling["account_status"], settling["balance_after_cents"]) == ("settled_in_full", 0)
    assert await _read(shop.admin, f"/api/v1/payments/{settling['payment_id']}") == settling
    await _account_moved_as_answered(shop, settling)
    fetched = await _read(shop.admin, f"/api/v1/offers/{offer['offer_id']}")
    assert (fetched["status"], fetched["paid_cents"]) == ("fulfilled", 80_000)


async def reverse_payment(shop: Shop) -> None:
    account_id = await shop.fresh_account(100_000)
    offer = await _offer(shop, account_id, 80_000)
    paid = _ok(await _pay(shop, account_id, amount_cents=80_000, offer_id=offer["offer_id"]), 201)
    reversal = _ok(
        await shop.admin.post(
            f"/api/v1/payments/{paid['payment_id']}/reversal", json={"reason": "NSF"}
        ),
        201,
    )
    # The reversal undid the settlement too: the write-off is back on the balance.
    assert (reversal["account_status"], reversal["balance_after_cents"]) == ("active", 100_000)
    await _account_moved_as_answered(shop, reversal)
    payment = await _read(shop.admin, f"/api/v1/payments/{paid['payment_id']}")
    assert payment["reversal"] == {k: reversal[k] for k in ("reversal_id", "reason", "returned_at")}
    fetched = await _read(shop.admin, f"/api/v1/offers/{offer['offer_id']}")
    assert (fetched["status"], fetched["paid_cents"]) == ("accepted", 0)


async def create_offer(shop: Shop) -> None:
    made = await _offer(shop, await shop.fresh_account(), 70_000)
    assert made["status"] == "pending_supervisor"
    assert await _read(shop.admin, f"/api/v1/offers/{made['offer_id']}") == made


async def decide_offer(shop: Shop) -> None:
    made = await _offer(shop, await shop.fresh_account(), 70_000)
    decided = _ok(
        await shop.supervisor.post(
            f"/api/v1/offers/{made['offer_id']}/decision", json={"decision": "accept"}
        )
    )
    assert decided["status"] == "accepted"
    assert await _read(shop.admin, f"/api/v1/offers/{made['offer_id']}") == decided


async def withdraw_offer(shop: Shop) -> None:
    made = await _offer(shop, await shop.fresh_account(), 70_000)
    withdrawn = _ok(
        await shop.collector.post(f"/api/v1/offers/{made['offer_id']}/withdraw", json={})
    )
    assert withdrawn["status"] == "withdrawn"
    assert await _read(shop.admin, f"/api/v1/offers/{made['offer_id']}") == withdrawn


async def run_remittance(shop: Shop) -> None:
    _ok(await _pay(shop, shop.account_id, amount_cents=2_000, received_at="2026-10-01"), 201)
    ran = _ok(await shop.admin.post("/api/v1/remittance/run", json={}))
    assert ran["statements"]
    for statement in ran["statements"]:
        fetched = await _read(shop.admin, f"/api/v1/statements/{statement['statement_id']}")
        assert {k: fetched[k] for k in statement if k != "lines"} == {
            k: v for k, v in statement.items() if k != "lines"
        }


async def import_letter_returns(shop: Shop) -> None:
    from datetime import UTC, date, datetime

    from server.letters import service as letters

    made = await shop.make_account(shop.client["client_id"], charge_off_date=date(2025, 3, 1))
    # Friday 2026-11-20: mailed Monday 2026-11-23, the period printed to end 2026-12-31.
    with clock.running_from(datetime(2026, 11, 20, 15, tzinfo=UTC)):
        batch = (await letters.make_batch()).batch
    assert batch is not None
    index = (await shop.admin.get(f"/api/v1/letter-batches/{batch.batch_id}.csv")).text
    letter_id = index.splitlines()[1].split(",")[0]
    answer = _ok(
        await shop.admin.post(
            "/api/v1/letter-returns",
            content=f"letter_id,mailed_on,returned_on,reason\r\n{letter_id},2026-11-23,,\r\n",
            headers={"Content-Type": "text/csv"},
        )
    )
    assert (answer["mailed"], answer["errors"]) == (1, [])
    letter = await _read(shop.admin, f"/api/v1/letters/{letter_id}")
    assert letter["letter"]["events"] == {"mailed": "2026-11-23"}
    account = await _read(shop.admin, f"/api/v1/accounts/{made['id']}")
    assert (account["validation_notice_sent_on"], account["validation_period_ends_on"]) == (
        "2026-11-23", letter["letter"]["printed_period_ends_on"],
    )  # fmt: skip


async def pay_out_statement(shop: Shop) -> None:
    from server.kit import clock

    _ok(await _pay(shop, shop.account_id, amount_cents=2_000, received_at="2026-10-01"), 201)
    statement = _ok(await shop.admin.post("/api/v1/remittance/run", json={}))["statements"][0]
    url = f"/api/v1/statements/{statement['statement_id']}"
    body = {"method": "wire", "reference": "W-1", "paid_on": clock.agency_today().isoformat()}
    paid = _ok(await shop.admin.post(f"{url}/payout", json=body), 201)
    assert (await _read(shop.admin, url))["payout"] == paid


Check = Callable[[Shop], Awaitable[None]]
CHECKS: dict[str, Check] = {
    "Login": login,
    "RefreshToken": refresh_token,
    "CreateUser": create_user,
    "UpdateCollector": update_collector,
    "UpdateUser": update_user,
    "CreateApiToken": create_api_token,
    "CreateClient": create_client,
    "UpdateClient": update_client,
    "SetClientColumnMap": set_client_column_map,
    "CreatePlacement": create_placement,
    "ConfirmPlacement": _decide_held_placement("confirm"),
    "CancelPlacement": _decide_held_placement("cancel"),
    "RecallAccount": _status_action("recall", {"reason": "client asked"}),
    "DisputeAccount": _status_action("dispute", {"reason": "not mine", "channel": "written"}),
    "VerificationAccount": _status_action("verification", {"reason": "verification mailed"}),
    "CeaseAccount": _status_action("cease", {"reason": "stop", "channel": "written"}),
    "ConsentAccount": _status_action(
        "consent",
        {
            "reason": "wrote to us",
            "consent": {"document_reference": "scan 1", "document_date": _days_ago(2)},
        },
    ),
    "StatusAccount": _status_action(
        "status",
        {
            "reason": "filed",
            "status": "bankruptcy",
            "bankruptcy": {
                "chapter": 13,
                "case_number": "26-10432",
                "court": "Bankr. S.D. Ohio",
                "filing_date": _days_ago(5),
            },
        },
    ),
    "RecordCall": record_call,
    "AddAccountNote": add_account_note,
    "RecordDispute": record_dispute,
    "MarkDisputeDuplicate": mark_dispute_duplicate,
    "UploadVerificationDocument": _verification("upload"),
    "AnswerVerificationRequest": _verification("answer"),
    "RecallInsteadOfVerifying": _verification("recall"),
    "WriteAccountMessage": _write_message("account"),
    "WritePlacementMessage": _write_message("placement"),
    "MarkAccountMessagesRead": _mark_read("account"),
    "MarkPlacementMessagesRead": _mark_read("placement"),
    "SetNoticePreferences": set_notice_preferences,
    "AddPhone": _preference(
        "POST", "phones", {"number": "(312) 939-7362", "kind": "home", "channel": "oral"}
    ),
    "UpdatePhone": _preference(
        "PATCH",
        "phones/{phone_id}",
        {"status": "do_not_call", "reason": "asked", "channel": "oral"},
    ),
    "SetInconvenientTimes": _preference(
        "PUT",
        "inconvenient-times",
        {"times": [{"days": ["mon"], "from": "09:00", "to": "12:00"}], "channel": "oral"},
    ),
    "RefuseMedium": _preference(
        "POST", "media-refusals", {"medium": "email", "channel": "written"}
    ),
    "ChangeAddress": _preference(
        "PUT",
        "address",
        {"address_line1": "1 Main St", "city": "Denver", "zip": "80202", "channel": "oral"},
    ),
    "RunDispatch": run_dispatch,
    "NextAccount": next_account,
    "ReleaseAccount": release_account,
    "CreatePayment": create_payment,
    "ReversePayment": reverse_payment,
    "CreateOffer": create_offer,
    "DecideOffer": decide_offer,
    "WithdrawOffer": withdraw_offer,
    "RunRemittance": run_remittance,
    "ImportLetterReturns": import_letter_returns,
    "PayOutStatement": pay_out_statement,
}


async def test_every_write_route_is_checked(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/schema/openapi.json")).json()
    writes = {
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in WRITE_METHODS
    }
    assert writes - set(CHECKS) - set(NOT_RESOURCES) == set(), "add a check for these routes"
    assert set(CHECKS) | set(NOT_RESOURCES) <= writes, "checks of routes that are gone"


@pytest.fixture
async def shop(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
    fake: Faker,
) -> Shop:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    supervisor = await make_user("supervisor")
    account = await make_account(client["client_id"], principal_cents=100_000)
    return Shop(http, admin, supervisor, client, collector, account, make_user, make_account)


@pytest.mark.parametrize("operation", sorted(CHECKS))
async def test_a_write_answers_what_a_read_says_right_after(shop: Shop, operation: str) -> None:
    await CHECKS[operation](shop)
