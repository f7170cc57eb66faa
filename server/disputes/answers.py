"""The letters that answer disputes, as the letter pipeline (above this domain) asks for
them, and what their mailing does.

An answer is due when the client answers a verification request (the verification, or
for a request for the original creditor its name and address) or a supervisor marks a
dispute duplicative (the duplicate-dispute notice, 12 CFR 1006.38(d)(2)(ii)). The night's
batch makes each (`answers_due`, `answers_made`) although the dispute block stands: they
are the answer the block waits for. When the vendor reports one mailed
(`letter_mailed`, from the return-file import) the dispute it answers is answered, and
once no blocking dispute of the account stays open the dispute block is lifted
(1692g(b); 1006.38(d)(2)(i): collection resumes after verification is mailed) and the
account returns to work.

`answered_at` is when the letter was mailed as far as the record shows: the vendor
reports a day, not an hour, so the start of that day in the agency's zone — or the moment
the letter was made, if later (it cannot have been mailed before it existed). No later
moment is claimed than the record proves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from server.accounts import service as accounts
from server.audit import service as audit
from server.auth.principal import SYSTEM
from server.disputes import verification_repository as repository
from server.disputes.answer_kinds import DUPLICATE_DISPUTE as DUPLICATE_DISPUTE
from server.disputes.answer_kinds import KINDS as KINDS
from server.disputes.answer_kinds import ORIGINAL_CREDITOR as ORIGINAL_CREDITOR
from server.disputes.answer_kinds import VERIFICATION as VERIFICATION
from server.kit import clock, db
from server.kit.settings import get_settings


@dataclass(frozen=True)
class Enclosure:
    document_id: UUID
    kind: str
    file_name: str
    media_type: str
    byte_size: int


@dataclass(frozen=True)
class AnswerDue:
    answer_id: UUID
    dispute_id: UUID
    account_id: UUID
    client_id: UUID
    kind: str
    dispute_received_at: datetime
    enclosures: list[Enclosure]
    original_creditor_name: str | None
    original_creditor_address: list[str]
    duplicate_reason: str | None
    # The earlier dispute's answer a duplicate notice refers to: when it was received and
    # answered (its verification mailed).
    earlier_received_at: datetime | None
    earlier_answered_at: datetime | None


async def answers_due() -> list[AnswerDue]:
    """Every answer not yet made into a letter, oldest first (inside the batch)."""
    rows = await repository.unmade_answers()
    request_ids = [r["request_id"] for r in rows if r["request_id"] is not None]
    documents = await repository.documents(request_ids)
    requests = {r["request_id"]: r for r in await repository.requests_by_id(request_ids)}
    found = []
    for row in rows:
        request = requests.get(row["request_id"])
        address = (request["original_creditor_address"] or "") if request else ""
        found.append(
            AnswerDue(
                answer_id=row["answer_id"], dispute_id=row["dispute_id"],
                account_id=row["account_id"], client_id=row["client_id"], kind=row["kind"],
                dispute_received_at=row["received_at"],
                enclosures=[
                    Enclosure(d["document_id"], d["kind"], d["file_name"], d["media_type"],
                              d["byte_size"])
                    for d in documents if d["request_id"] == row["request_id"]
                ],
                original_creditor_name=request["original_creditor_name"] if request else None,
                original_creditor_address=[p.strip() for p in address.split("|") if p.strip()],
                duplicate_reason=row["duplicate_reason"],
                earlier_received_at=row["earlier_received_at"],
                earlier_answered_at=row["earlier_answered_at"],
            )
        )  # fmt: skip
    return found


async def answers_made(made: list[tuple[UUID, UUID]]) -> None:
    """(answer_id, letter_id) per answer the batch made, in its transaction."""
    await repository.set_answer_letters(made)


async def document_chunks(document_id: UUID) -> AsyncIterator[bytes]:
    """An enclosed document's bytes, chunk by chunk (for the batch's enclosures)."""
    row = await repository.document(document_id)
    if row is None:
        return
    for seq in range(row["chunk_count"]):
        yield await repository.chunk(document_id, seq)


async def letter_mailed(letter_id: UUID, mailed_on: date, made_at: datetime) -> bool:
    """The vendor mailed `letter_id` on `mailed_on` (inside the return import): the dispute
    it answers is answered, and the account's dispute block lifted when no blocking
    dispute stays open. False when the letter answers no dispute or was already
    reported."""
    assert db.in_transaction(), "an answer mailed outside a transaction"
    answer = await repository.answer_of_letter(letter_id)
    if answer is None or answer["mailed_at"] is not None:
        return False
    day_start = clock.start_of_day(mailed_on, get_settings().agency_timezone)
    at = max(day_start, made_at)
    await repository.answer_mailed(answer["answer_id"], answer["dispute_id"], letter_id, at)
    lifted = False
    if answer["blocks_collection"] and not await repository.open_blocking_disputes(
        answer["account_id"], awaiting_letter=False
    ):
        lifted = await accounts.lift_dispute_block(
            answer["account_id"], at, f"the letter answering the dispute was mailed {mailed_on}"
        )
    account = await accounts.visible_account(SYSTEM, answer["account_id"])
    await audit.record(
        SYSTEM, "dispute.answered", "dispute", answer["dispute_id"],
        client_id=account["client_id"],
        after={"letter_id": letter_id, "answered_at": at, "block_lifted": lifted},
    )  # fmt: skip
    return True


async def supervisor_verification(account_id: UUID, at: datetime) -> bool:
    """Accounts' `verification` action, in its transaction: refused (False) while a
    blocking dispute that waits for its answer letter is open (the mailing lifts that
    block); else the account's open disputes that no letter will answer — recorded before
    verification requests existed — are answered at `at`, and the block may lift."""
    if await repository.open_blocking_disputes(account_id, awaiting_letter=True):
        return False
    await repository.answer_unlettered_disputes(account_id, at)
    return True
