"""The letters that answer disputes (server.disputes.answers): the verification, the
original creditor's name and address, and the duplicate-dispute notice, made into their
data for the night's batch.

They are made while the dispute block stands — they are the answer it waits for — and
under a cease (1692c(c) leaves the agency its answer to the consumer's own dispute); like
every letter, not while an attorney represents the consumer, a bankruptcy stay holds or
the consumer has died (letter_rules.NO_LETTER_WHILE), nor without a usable address: those
are held, counted by reason, and reconsidered every night.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from server.accounts import service as accounts
from server.accounts import validation_notices
from server.accounts.validation_notices import MailingAddress
from server.auth.principal import SYSTEM
from server.clients import service as clients
from server.disputes import answers as dispute_answers
from server.disputes.answers import AnswerDue
from server.disputes.rules import received_on
from server.kit import clock
from server.letters import repository
from server.letters.due import letter_facts
from server.letters.letter_rules import NO_LETTER_WHILE
from server.letters.schemas import (
    DuplicateDisputeData,
    EnclosureLine,
    Itemization,
    LetterFacts,
    NoticeData,
    OriginalCreditorData,
    VerificationData,
)

# (the account's itemization facts, its address, the creditor's name, the mailing date)
# -> the notice's data, or why it cannot be made (letters.service.notice_data).
Itemizer = Callable[[dict[str, Any], MailingAddress, str, date], NoticeData | str]


@dataclass(frozen=True)
class AnswerLetter:
    answer_id: UUID
    account_id: UUID
    client_id: UUID
    kind: str
    address: MailingAddress
    data: LetterFacts


async def gather(planned: date, itemize: Itemizer) -> tuple[list[AnswerLetter], dict[str, int]]:
    """Inside the batch's transaction: every answer due made into its data, or held."""
    due = await dispute_answers.answers_due()
    ids = list({a.account_id for a in due})
    addresses = await validation_notices.mailing_addresses(ids)
    bad = await repository.bad_addresses(ids)
    facts = await validation_notices.itemization_facts(ids)
    names = await clients.clients_settings(list({a.client_id for a in due}))
    made: list[AnswerLetter] = []
    held: dict[str, int] = {}
    for answer in due:
        account = await accounts.visible_account(SYSTEM, answer.account_id)
        address = addresses.get(answer.account_id)
        reason = None
        if account["status"] in NO_LETTER_WHILE:
            reason = f"no_letter_while_{account['status']}"
        elif address is None:
            reason = "no_mailing_address"
        elif (answer.account_id, address.text) in bad:
            reason = "address_marked_bad"
        if reason is not None:
            held[reason] = held.get(reason, 0) + 1
            continue
        assert address is not None
        creditor = names[answer.client_id]["name"]
        data = _data(answer, account, facts[answer.account_id], address, creditor, planned,
                     itemize)  # fmt: skip
        made.append(
            AnswerLetter(
                answer.answer_id, answer.account_id, answer.client_id, answer.kind, address, data
            )
        )
    return made, held


def _data(
    answer: AnswerDue,
    account: Any,
    facts: dict[str, Any],
    address: MailingAddress,
    creditor: str,
    planned: date,
    itemize: Itemizer,
) -> LetterFacts:
    common = letter_facts(account, address, facts["current_creditor"] or creditor, planned)
    common["dispute_received_on"] = received_on(answer.dispute_received_at)
    if answer.kind == dispute_answers.ORIGINAL_CREDITOR:
        assert answer.original_creditor_name is not None
        return OriginalCreditorData(
            **common, original_creditor_name=answer.original_creditor_name,
            original_creditor_address=answer.original_creditor_address,
        )  # fmt: skip
    if answer.kind == dispute_answers.DUPLICATE_DISPUTE:
        assert answer.duplicate_reason is not None
        assert answer.earlier_received_at is not None
        answered = answer.earlier_answered_at
        return DuplicateDisputeData(
            **common, reason=answer.duplicate_reason,
            earlier_received_on=received_on(answer.earlier_received_at),
            earlier_answered_on=None if answered is None else clock.agency_date(answered),
        )  # fmt: skip
    notice = itemize(facts, address, creditor, planned)
    itemization = None
    if isinstance(notice, NoticeData):
        itemization = Itemization(
            creditor_on_itemization_date=notice.creditor_on_itemization_date,
            itemization_date=notice.itemization_date,
            amount_on_itemization_date_cents=notice.amount_on_itemization_date_cents,
            interest_since_cents=notice.interest_since_cents,
            fees_since_cents=notice.fees_since_cents,
            payments_and_credits_since_cents=notice.payments_and_credits_since_cents,
            current_amount_cents=notice.current_amount_cents,
        )
    return VerificationData(
        **common, itemization=itemization,
        enclosures=[
            EnclosureLine(e.document_id, e.kind, e.file_name, e.media_type, e.byte_size)
            for e in answer.enclosures
        ],
    )  # fmt: skip
