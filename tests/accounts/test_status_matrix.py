"""Every status action from every status, for every role: what it does, written out here
as the rules say it (not computed by `statuses.decide`), over the real routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from server.kit import clock
from tests.disputes.answering import answer_by_letter
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser

STATUSES = (
    "active", "disputed", "cease_communication", "bankruptcy", "deceased",
    "attorney_represented", "recalled", "paid_in_full", "settled_in_full", "closed",
)  # fmt: skip
BLOCKS = ("disputed", "cease_communication", "bankruptcy", "deceased", "attorney_represented")
FINISHED = ("recalled", "paid_in_full", "settled_in_full", "closed")
# The status an account shows: the most severe block in force.
SEVERITY = ("deceased", "bankruptcy", "attorney_represented", "cease_communication", "disputed")


def days_ago(days: int) -> str:
    return (clock.agency_today() - timedelta(days=days)).isoformat()


# Evidence dates run back from today (whatever the clock says), a cease received before
# the consent that answers it.
CEASE_RECEIVED_AT = (clock.now() - timedelta(days=20)).isoformat()
BANKRUPTCY = {
    "chapter": 7, "case_number": "1:26-bk-10432", "court": "U.S. Bankruptcy Court, S.D. Ohio",
    "filing_date": days_ago(30),
}  # fmt: skip
ATTORNEY = {
    "name": "Dana Whitfield", "firm": "Whitfield & Ames LLP",
    "address": "100 E Broad St, Columbus, OH 43215", "phone": "(614) 555-0142",
}  # fmt: skip
DECEASED = {"date_of_death": days_ago(60), "estate_representative": "Lee Carter, executor"}
CONSENT = {"document_reference": "letter scan #4471", "document_date": days_ago(2)}

# action name -> (route, body)
ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "recall": ("recall", {"reason": "client asked"}),
    "dispute": ("dispute", {"reason": "not mine", "channel": "written"}),
    "verification": ("verification", {"reason": "verification mailed"}),
    "cease_written": (
        "cease",
        {"reason": "stop", "channel": "written", "received_at": CEASE_RECEIVED_AT},
    ),
    "cease_oral": ("cease", {"reason": "stop calling", "channel": "oral"}),
    "consent": ("consent", {"reason": "wrote to us", "consent": CONSENT}),
    "bankruptcy": ("status", {"reason": "filed", "status": "bankruptcy", "bankruptcy": BANKRUPTCY}),
    "attorney": (
        "status",
        {"reason": "has counsel", "status": "attorney_represented", "attorney": ATTORNEY},
    ),
    "deceased": ("status", {"reason": "died", "status": "deceased", "deceased": DECEASED}),
    "closed": ("status", {"reason": "uncollectable", "status": "closed"}),
    "active": ("status", {"reason": "case dismissed", "status": "active"}),
}
ROLES = ("admin", "supervisor", "collector", "client", "token")
MAY = {
    "recall": {"admin", "supervisor", "client", "token"},
    "dispute": {"admin", "supervisor", "collector"},
    "verification": {"admin", "supervisor"},
    "cease_written": {"admin", "supervisor", "collector"},
    "cease_oral": {"admin", "supervisor", "collector"},
    "consent": {"admin", "supervisor"},
    "bankruptcy": {"admin", "supervisor", "collector"},
    "attorney": {"admin", "supervisor", "collector"},
    "deceased": {"admin", "supervisor", "collector"},
    "closed": {"admin", "supervisor", "collector"},
    "active": {"admin", "supervisor"},
}


def _shown(blocks: set[str]) -> str:
    return next((b for b in SEVERITY if b in blocks), "active")


def expected(action: str, status: str) -> tuple[str, set[str]] | None:
    """(status after, blocks in force after) of `action` from `status` (the account holding
    that status's block, if it is one), or None where it is refused (409)."""
    blocks = {status} if status in BLOCKS else set()
    is_open = status not in FINISHED

    def add(block: str) -> tuple[str, set[str]] | None:
        if not is_open or block in blocks:
            return None
        return _shown(blocks | {block}), blocks | {block}

    def lift(block: str) -> tuple[str, set[str]] | None:
        if not is_open or block not in blocks:
            return None
        return _shown(blocks - {block}), blocks - {block}

    if action == "recall":
        return None if status == "recalled" else ("recalled", blocks)
    if action == "dispute":
        # A timely written dispute (the test's accounts have no notice mailed) while one is
        # already in force is recorded and changes nothing (server.disputes).
        if is_open and "disputed" in blocks:
            return status, blocks
        return add("disputed")
    if action == "verification":
        return lift("disputed")
    if action == "cease_written":
        return add("cease_communication")
    if action == "cease_oral":
        return (status, blocks) if is_open else None
    if action == "consent":
        return lift("cease_communication")
    if action in ("bankruptcy", "deceased"):
        return add(action)
    if action == "attorney":
        return add("attorney_represented")
    if action == "closed":
        return None if status in ("closed", "recalled") else ("closed", blocks)
    assert action == "active"
    return lift(status) if status in ("bankruptcy", "attorney_represented") else None


async def block_account(owner_db: asyncpg.Connection, account_id: str, *kinds: str) -> None:
    """Blocks in force on an account made by the factory, as the actions would leave them."""
    for kind in kinds:
        await owner_db.execute(
            """
            INSERT INTO account_block (id, account_id, client_id, kind, reason, received_at,
                source, added_at)
            SELECT gen_random_uuid(), id, client_id, $2, 'seeded', $3::timestamptz,
                'action', now() FROM account WHERE id = $1
            """,
            UUID(account_id),
            kind,
            clock.now() - timedelta(days=20),
        )


@pytest.fixture
async def callers(
    http: httpx.AsyncClient, admin: Caller, make_user: MakeUser, make_client: MakeClient
) -> dict[str, Any]:
    client = await make_client()
    token = await admin.post(f"/api/v1/clients/{client['client_id']}/tokens", json={"name": "t"})
    assert token.status_code == 201, token.text
    return {
        "admin": admin,
        "supervisor": await make_user("supervisor"),
        "collector": await make_user("collector", client_ids=[client["client_id"]]),
        "client": await make_user("client", client_id=client["client_id"]),
        "token": Caller(http, token.json()["token"], role="client"),
        "client_id": client["client_id"],
    }


async def test_every_action_from_every_status_for_every_role(
    callers: dict[str, Any], make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    wrong: list[str] = []
    for status in STATUSES:
        for action, (route, body) in ACTIONS.items():
            for role in ROLES:
                account = await make_account(callers["client_id"], status=status)
                if status in BLOCKS:
                    await block_account(owner_db, account["id"], status)
                response = await callers[role].post(
                    f"/api/v1/accounts/{account['id']}/{route}", json=body
                )
                want = expected(action, status)
                case = f"{role} {action} from {status}"
                if role not in MAY[action]:
                    if response.status_code != 403:
                        wrong.append(f"{case}: {response.status_code}, not 403")
                elif want is None:
                    if response.status_code != 409:
                        wrong.append(f"{case}: {response.status_code} {response.text}, not 409")
                elif response.status_code != 200:
                    wrong.append(f"{case}: {response.status_code} {response.text}")
                else:
                    got = response.json()
                    blocks = {b["kind"] for b in got["blocks"]}
                    if (got["status"], blocks) != want:
                        wrong.append(f"{case}: {(got['status'], blocks)}, not {want}")
                if response.status_code != 200:
                    stored = await owner_db.fetchval(
                        "SELECT status FROM account WHERE id = $1", UUID(account["id"])
                    )
                    if stored != status:
                        wrong.append(f"{case}: refused, yet the status became {stored}")
    assert not wrong, "\n".join(wrong)


# --- the chains that used to bypass a block ------------------------------------------------


async def _answer(callers: dict[str, Any], account_id: str) -> None:
    """The account's dispute answered: the client verifies, the letter is mailed."""
    disputes = await callers["admin"].get(f"/api/v1/accounts/{account_id}/disputes")
    (dispute,) = disputes.json()["items"]
    await answer_by_letter(callers["client"], callers["admin"], dispute["dispute_id"])


async def _post(caller: Caller, account_id: str, action: str, **extra: Any) -> httpx.Response:
    route, body = ACTIONS[action]
    return await caller.post(f"/api/v1/accounts/{account_id}/{route}", json={**body, **extra})


async def _ok(caller: Caller, account_id: str, action: str, **extra: Any) -> dict[str, Any]:
    response = await _post(caller, account_id, action, **extra)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(("through", "lift"), [("bankruptcy", "active"), ("attorney", "active")])
async def test_a_dispute_outlives_a_bankruptcy_or_an_attorney(
    callers: dict[str, Any], make_account: MakeAccount, through: str, lift: str
) -> None:
    """disputed → bankruptcy → active and disputed → attorney_represented → active left the
    account active with the dispute never verified."""
    collector, supervisor = callers["collector"], callers["supervisor"]
    account_id = (await make_account(callers["client_id"]))["id"]
    await _ok(collector, account_id, "dispute")
    stacked = await _ok(collector, account_id, through)
    assert {b["kind"] for b in stacked["blocks"]} == {"disputed", stacked["status"]}
    lifted = await _ok(supervisor, account_id, lift)
    assert (lifted["status"], [b["kind"] for b in lifted["blocks"]]) == ("disputed", ["disputed"])
    # The dispute is lifted only by its verification's mailing: not by a collector, and
    # not by a supervisor's action while the dispute on record is open.
    assert (await _post(collector, account_id, "verification")).status_code == 403
    assert (await _post(supervisor, account_id, "verification")).status_code == 409
    await _answer(callers, account_id)
    verified = (await supervisor.get(f"/api/v1/accounts/{account_id}")).json()
    assert (verified["status"], verified["blocks"]) == ("active", [])


async def test_a_written_cease_outlives_a_bankruptcy_and_ends_only_by_written_consent(
    callers: dict[str, Any], make_account: MakeAccount
) -> None:
    collector, supervisor = callers["collector"], callers["supervisor"]
    account_id = (await make_account(callers["client_id"]))["id"]
    await _ok(collector, account_id, "cease_written")
    await _ok(collector, account_id, "bankruptcy")
    lifted = await _ok(supervisor, account_id, "active")
    assert lifted["status"] == "cease_communication"
    # Neither a collector's `active` nor verification lifts a cease.
    assert (await _post(collector, account_id, "active")).status_code == 403
    assert (await _post(supervisor, account_id, "active")).status_code == 409
    assert (await _post(supervisor, account_id, "verification")).status_code == 409
    assert (await _post(collector, account_id, "consent")).status_code == 403
    consented = await _ok(supervisor, account_id, "consent")
    assert (consented["status"], consented["blocks"]) == ("active", [])


async def test_blocks_stack_and_the_status_is_the_most_severe(
    callers: dict[str, Any], make_account: MakeAccount
) -> None:
    admin = callers["admin"]
    account_id = (await make_account(callers["client_id"]))["id"]
    shown = []
    for action in ("dispute", "cease_written", "attorney", "bankruptcy"):
        shown.append((await _ok(admin, account_id, action))["status"])
    assert shown == ["disputed", "cease_communication", "attorney_represented", "bankruptcy"]
    detail = (await admin.get(f"/api/v1/accounts/{account_id}")).json()
    assert [b["kind"] for b in detail["blocks"]] == [
        "bankruptcy", "attorney_represented", "cease_communication", "disputed",
    ]  # fmt: skip
    evidence = {b["kind"]: b["evidence"] for b in detail["blocks"]}
    assert evidence["bankruptcy"] == BANKRUPTCY
    assert evidence["attorney_represented"] == {**ATTORNEY, "phone": "+16145550142"}
    # Lifting the bankruptcy shows the attorney; lifting the attorney shows the cease.
    after = await _ok(admin, account_id, "active", lifts="bankruptcy")
    assert after["status"] == "attorney_represented"
    after = await _ok(admin, account_id, "active")
    assert after["status"] == "cease_communication"
    after = await _ok(admin, account_id, "consent")
    assert after["status"] == "disputed"
    # Every block and its lifting is kept, with who and when; the dispute's by the mailing
    # of its verification.
    await _answer(callers, account_id)
    assert (await admin.get(f"/api/v1/accounts/{account_id}")).json()["status"] == "active"


async def test_a_block_remaining_keeps_the_account_uncallable(
    callers: dict[str, Any], make_account: MakeAccount
) -> None:
    collector, supervisor = callers["collector"], callers["supervisor"]
    account_id = (await make_account(callers["client_id"]))["id"]
    await _ok(collector, account_id, "dispute")
    await _ok(collector, account_id, "bankruptcy")
    await _ok(supervisor, account_id, "active")
    check = await collector.post(f"/api/v1/accounts/{account_id}/call-check", json={})
    assert check.status_code == 200, check.text
    assert check.json()["allowed"] is False
    assert "status_disputed" in check.json()["reasons"]


async def test_a_reversed_payoff_reopens_to_the_blocks_still_in_force(
    callers: dict[str, Any], make_account: MakeAccount
) -> None:
    """disputed → paid_in_full → (payment reversed) → active cleared the dispute too."""
    from tests.fixtures import new_key

    admin = callers["admin"]
    account = await make_account(callers["client_id"], principal_cents=50_000)
    await _ok(admin, account["id"], "dispute")
    paid = await admin.post(
        f"/api/v1/accounts/{account['id']}/payments", headers={"Idempotency-Key": new_key()},
        json={"amount_cents": 50_000, "method": "ach", "paid_to": "agency",
              "received_at": "2026-11-02"},
    )  # fmt: skip
    assert paid.status_code == 201, paid.text
    assert paid.json()["account_status"] == "paid_in_full"
    reversed_ = await admin.post(
        f"/api/v1/payments/{paid.json()['payment_id']}/reversal", json={"reason": "NSF"}
    )
    assert reversed_.status_code == 201, reversed_.text
    detail = (await admin.get(f"/api/v1/accounts/{account['id']}")).json()
    assert detail["status"] == "disputed"
