"""E-mail notices reach a real SMTP server (the harness's, on loopback): one of each
kind, once, with the Message-ID the outbox keeps; a kind a user switched off is not
sent; a count and a link, never consumer data; retried with backoff when the server
refuses; without a server they stay in the outbox, which admins read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from scripts import loopback_smtp
from scripts.loopback_smtp import Mailbox
from server.kit import clock
from server.notices import mail, service
from server.notices.kinds import NoticeKind
from server.placements import ingest
from tests.fixtures import Caller, MakeAccount, new_key
from tests.notices.conftest import send, want_notices
from tests.placements.test_ingest import csv_bytes, good_row, upload


async def _every_kind(people: dict[str, Any], make_account: MakeAccount, owner_db: Any) -> None:
    """Something of every kind happens to the client, once."""
    admin, client_id = people["admin"], people["client_id"]
    account = await make_account(client_id)
    # statement_issued: a payment that cleared in an ended period, and the batch.
    paid = await admin.post(
        f"/api/v1/accounts/{account['id']}/payments",
        headers={"Idempotency-Key": new_key()},
        json={"amount_cents": 2_000, "method": "ach", "paid_to": "agency",
              "received_at": "2026-10-01"},
    )  # fmt: skip
    assert paid.status_code == 201, paid.text
    assert (await admin.post("/api/v1/remittance/run", json={})).status_code == 200
    # offers_awaiting: beyond the supervisor's band, so it waits for the client.
    offer = await people["collector"].post(
        f"/api/v1/accounts/{account['id']}/offers",
        json={"kind": "lump_sum", "amount_cents": int(account["balance_cents"]) // 2,
              "reason": "The consumer lost their job"},
    )  # fmt: skip
    assert offer.status_code == 201, offer.text
    assert offer.json()["status"] == "pending_client", offer.text
    # file_loaded, and file_rejected: a file whose stored bytes turn out not to be text.
    loaded = await upload(admin, client_id, csv_bytes([good_row(1)]))
    assert await ingest.load_placement(UUID(loaded.json()["placement_id"])) == "loaded"
    refused = await upload(admin, client_id, csv_bytes([good_row(2)]))
    refused_id = UUID(refused.json()["placement_id"])
    await owner_db.execute(
        "UPDATE placement_chunk SET data = $2 WHERE placement_id = $1",
        refused_id, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
    )  # fmt: skip
    assert await ingest.load_placement(refused_id) == "rejected"
    # The verification kinds come from the disputes domain's notifier call.
    for kind in ("verification_requested", "verification_due_soon", "verification_overdue"):
        await service.notify_client(UUID(client_id), kind, 2, "/portal/disputes")
    # message: the agency writes on the account.
    written = await people["supervisor"].post(
        f"/api/v1/accounts/{account['id']}/messages", json={"body": "Please call us"}
    )
    assert written.status_code == 201, written.text


async def test_every_kind_reaches_the_smtp_server_once(
    people: dict[str, Any],
    make_account: MakeAccount,
    owner_db: asyncpg.Connection,
    mailbox: Mailbox,
) -> None:
    client: Caller = people["client"]
    await want_notices(client, "ops@client.example")
    await _every_kind(people, make_account, owner_db)

    assert (await send()).sent == len(NoticeKind)
    received = mailbox.received()
    outbox = await owner_db.fetch("SELECT kind, message_id, status FROM notice_outbox")
    assert sorted(r["kind"] for r in outbox) == sorted(NoticeKind)
    assert {r["status"] for r in outbox} == {"sent"}
    assert sorted(m.message_id for m in received) == sorted(r["message_id"] for r in outbox)
    assert {m.recipients for m in received} == {("ops@client.example",)}
    subjects = {m.subject for m in received}
    assert "The agency requests verification of 2 debts" in subjects
    assert "A settlement offer awaits your decision" in subjects
    # A count and a link, never the consumer's data or the account's number.
    numbers = await owner_db.fetch("SELECT client_account_number FROM account")
    for message in received:
        assert "http://" in message.body
        assert not any(n["client_account_number"] in message.body for n in numbers)
        assert "Maria" not in message.body
        assert "Lopez" not in message.body
    # Once: a second run sends nothing again.
    assert (await send()).sent == 0
    assert len(mailbox.received()) == len(NoticeKind)


async def test_a_kind_switched_off_is_not_sent(
    people: dict[str, Any], make_account: MakeAccount, mailbox: Mailbox
) -> None:
    await want_notices(people["client"], "quiet@client.example", ["message"])
    await want_notices(people["colleague"], "eager@client.example")
    account = await make_account(people["client_id"])
    url = f"/api/v1/accounts/{account['id']}/messages"
    assert (await people["supervisor"].post(url, json={"body": "Hello"})).status_code == 201
    await service.notify_client(UUID(people["client_id"]), "verification_overdue", 1, "/portal")
    await send()
    got = sorted((m.recipients[0], m.subject) for m in mailbox.received())
    assert got == [
        ("eager@client.example", "A verification request is overdue"),
        ("eager@client.example", "The agency has sent you a message"),
        ("quiet@client.example", "A verification request is overdue"),
    ]
    # A message from the client's own side tells nobody at the client.
    await people["client"].post(url, json={"body": "Thanks"})
    assert (await send()).sent == 0


async def test_a_user_without_an_address_or_of_another_client_gets_nothing(
    people: dict[str, Any], make_user: Any, make_client: Any, mailbox: Mailbox
) -> None:
    other = await make_client()
    stranger = await make_user("client", client_id=other["client_id"])
    await want_notices(stranger, "stranger@other.example")
    await service.notify_client(UUID(people["client_id"]), "statement_issued", 1, "/portal")
    assert (await send()).sent == 0
    assert mailbox.received() == []


async def test_preferences_are_a_client_users_own_and_checked(people: dict[str, Any]) -> None:
    client = people["client"]
    shown = (await client.get("/api/v1/me/notices")).json()
    assert shown["email"] is None
    assert all(k["switched_on"] for k in shown["kinds"])
    assert {k["kind"] for k in shown["kinds"]} == set(NoticeKind)
    bad = await client.request("PUT", "/api/v1/me/notices", json={"email": "a@b\r\nBcc: x@y"})
    assert bad.status_code == 422, bad.text
    assert bad.json()["error"]["details"][0]["field"] == "email"
    unknown = await client.request(
        "PUT", "/api/v1/me/notices", json={"email": "a@b.example", "switched_off": ["spam"]}
    )
    assert unknown.status_code in (400, 422), unknown.text
    await want_notices(client, "a@b.example", ["file_loaded"])
    shown = (await client.get("/api/v1/me/notices")).json()
    assert shown["email"] == "a@b.example"
    assert [k["kind"] for k in shown["kinds"] if not k["switched_on"]] == ["file_loaded"]
    for staff in (people["supervisor"], people["collector"], people["admin"]):
        assert (await staff.get("/api/v1/me/notices")).status_code == 403


async def test_a_refused_send_is_retried_with_backoff_then_failed(
    people: dict[str, Any], owner_db: asyncpg.Connection, mailbox: Mailbox
) -> None:
    await want_notices(people["client"], "ops@client.example")
    await service.notify_client(UUID(people["client_id"]), "file_loaded", 1, "/portal")
    nowhere = mail.SmtpTarget("127.0.0.1", loopback_smtp.free_port(), False, None, None)
    before = clock.now()
    assert (await service.send_due(nowhere)).failed == 1
    row = await owner_db.fetchrow("SELECT * FROM notice_outbox")
    assert (row["status"], row["attempts"]) == ("queued", 1)
    assert "ConnectionRefusedError" in row["last_error"]
    assert before + timedelta(minutes=1) <= row["next_attempt_at"]
    assert row["next_attempt_at"] <= clock.now() + timedelta(minutes=1)
    # Not due yet: nothing is tried.
    assert (await service.send_due(nowhere)) == service.SendTally()
    for _ in range(7):
        await owner_db.execute("UPDATE notice_outbox SET next_attempt_at = now() - interval '1s'")
        await service.send_due(nowhere)
    row = await owner_db.fetchrow("SELECT * FROM notice_outbox")
    assert (row["status"], row["attempts"]) == ("failed", 8)
    listed = await people["admin"].get("/api/v1/notices/outbox", params={"status": "failed"})
    assert [(n["attempts"], n["status"]) for n in listed.json()["items"]] == [(8, "failed")]
    assert "ConnectionRefusedError" in listed.json()["items"][0]["last_error"]
    assert mailbox.received() == []


async def test_a_retry_after_a_refusal_keeps_the_message_id(
    people: dict[str, Any], owner_db: asyncpg.Connection, mailbox: Mailbox
) -> None:
    await want_notices(people["client"], "ops@client.example")
    await service.notify_client(UUID(people["client_id"]), "file_rejected", 1, "/portal")
    nowhere = mail.SmtpTarget("127.0.0.1", loopback_smtp.free_port(), False, None, None)
    await service.send_due(nowhere)
    await owner_db.execute("UPDATE notice_outbox SET next_attempt_at = now() - interval '1s'")
    assert (await send()).sent == 1
    kept = await owner_db.fetchval("SELECT message_id FROM notice_outbox")
    assert [m.message_id for m in mailbox.received()] == [kept]
    assert kept.startswith("<notice.")
    assert kept.endswith("@localhost>")


@pytest.mark.parametrize("password", ["s3cret pass", "wrong"])
async def test_smtp_url_credentials_authenticate(
    people: dict[str, Any], owner_db: asyncpg.Connection, password: str
) -> None:
    await want_notices(people["client"], "ops@client.example")
    await service.notify_client(UUID(people["client_id"]), "message", 1, "/portal")
    with loopback_smtp.running(credentials=("notices", "s3cret pass")) as server:
        url = server.url.replace("s3cret pass", password.replace(" ", "%20"))
        tally = await service.send_due(mail.SmtpTarget.from_url(url))
        received = server.mailbox.received()
    if password == "wrong":
        assert (tally.failed, received) == (1, [])
        assert "SMTPAuthenticationError" in await owner_db.fetchval(
            "SELECT last_error FROM notice_outbox"
        )
    else:
        assert tally.sent == 1
        assert len(received) == 1


async def test_without_a_server_notices_stay_in_the_outbox_for_admins(
    people: dict[str, Any], mailbox: Mailbox
) -> None:
    await want_notices(people["client"], "ops@client.example")
    await service.notify_client(UUID(people["client_id"]), "statement_issued", 3, "/portal/x")
    assert await service.send_due(None) == service.SendTally()
    listed = await people["admin"].get("/api/v1/notices/outbox")
    assert listed.status_code == 200, listed.text
    (notice,) = listed.json()["items"]
    assert (notice["status"], notice["attempts"], notice["kind"]) == (
        "queued",
        0,
        "statement_issued",
    )
    assert notice["subject"] == "3 remittance statements have been issued"
    assert "http://127.0.0.1:8000/portal/x" in notice["body"]
    for other in (people["client"], people["supervisor"], people["collector"]):
        assert (await other.get("/api/v1/notices/outbox")).status_code == 403
    assert mailbox.received() == []


async def test_a_rejected_file_and_its_notice_commit_together(
    people: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    """When the notice cannot be queued the rejection is not recorded either: the load
    raises and the next attempt rejects the file and tells the client, so no crash or
    failure between the two leaves a rejected file nobody was told of."""
    await want_notices(people["client"], "ops@client.example")
    refused = await upload(people["admin"], people["client_id"], csv_bytes([good_row(1)]))
    refused_id = UUID(refused.json()["placement_id"])
    await owner_db.execute(
        "UPDATE placement_chunk SET data = $2 WHERE placement_id = $1",
        refused_id, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
    )  # fmt: skip
    await owner_db.execute(
        """
        CREATE FUNCTION refuse_notice() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'the outbox refuses'; END $$;
        CREATE TRIGGER refuse_notice BEFORE INSERT ON notice_outbox
            FOR EACH ROW EXECUTE FUNCTION refuse_notice();
        """
    )
    try:
        with pytest.raises(asyncpg.RaiseError):
            await ingest.load_placement(refused_id)
        status = await owner_db.fetchval("SELECT status FROM placement WHERE id = $1", refused_id)
        assert status == "validating"
    finally:
        await owner_db.execute(
            "DROP TRIGGER refuse_notice ON notice_outbox; DROP FUNCTION refuse_notice()"
        )
    assert await ingest.load_placement(refused_id) == "rejected"
    kinds = await owner_db.fetch(
        "SELECT kind FROM notice_outbox WHERE body LIKE '%' || $1 || '%'", str(refused_id)
    )
    assert [r["kind"] for r in kinds] == ["file_rejected"]
