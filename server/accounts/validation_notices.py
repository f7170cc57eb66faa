"""What the letters domain needs of accounts for validation notices: the accounts due one,
the consumer's mailing address, and the dates a mailing record sets (DESIGN: the notice's
mailed date and the period's end are set only from a letter's mailing record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from server.accounts import notice_repository as repository


@dataclass(frozen=True)
class MailingAddress:
    name: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """One line, as the vendor's index carries it and bad addresses are keyed."""
        return ", ".join((self.name, *self.lines))


async def notice_candidates() -> list[dict[str, Any]]:
    """Accounts in collection with no validation period running, oldest first."""
    return [dict(row) for row in await repository.notice_candidates()]


async def itemization_facts(account_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    """What a notice's itemization is made from, for these accounts whatever their status."""
    return {row["account_id"]: dict(row) for row in await repository.itemization_facts(account_ids)}


async def without_mailed_notice(account_ids: list[UUID]) -> list[dict[str, Any]]:
    """Of these accounts, those no notice was ever mailed for (a returned notice was)."""
    return [dict(row) for row in await repository.without_mailed_notice(account_ids)]


async def mailing_addresses(account_ids: list[UUID]) -> dict[UUID, MailingAddress]:
    """The one place a letter's address is read: for each account, the address its client
    last sent, or the one the consumer gave the agency when that is newer; left out where
    it is incomplete (no street, city, state or ZIP)."""
    found: dict[UUID, MailingAddress] = {}
    for row in await repository.mailing_addresses(account_ids):
        street, city, state, zip5 = (
            row["address_line1"], row["city"], row["state"], row["zip5"]
        )  # fmt: skip
        if not (street and city and state and zip5):
            continue
        name = " ".join(part for part in (row["first_name"], row["last_name"]) if part)
        lines = [street] + ([row["address_line2"]] if row["address_line2"] else [])
        found[row["account_id"]] = MailingAddress(name, (*lines, f"{city}, {state} {zip5}"))
    return found


async def accounts_sharing_address(account_id: UUID, address_text: str) -> dict[UUID, str]:
    """The person's other accounts whose letters go to the address `address_text` names
    (the same lines, whatever name each account's client gave), with their own address
    text: mail that came back from it did so for all of them."""
    ids = await repository.person_account_ids(account_id)
    return {
        other: address.text
        for other, address in (await mailing_addresses(ids)).items()
        if other != account_id and address_text.endswith(", " + ", ".join(address.lines))
    }


async def record_notice_mailed(account_id: UUID, mailed_on: date, period_ends_on: date) -> None:
    """A notice's mailing record: the sent date, and the end date printed on it (which
    governs). Inside the caller's transaction."""
    await repository.set_validation_notice(account_id, mailed_on, period_ends_on, None)


async def record_notice_void(account_id: UUID) -> None:
    """The notice mailed cannot stand (mailed later than its printed date allows): no
    sent date and no period until another is mailed."""
    await repository.set_validation_notice(account_id, None, None, None)


async def record_notice_returned(account_id: UUID, mailed_on: date, returned_on: date) -> None:
    """The notice mailed came back: it was sent (history keeps it), no period runs."""
    await repository.set_validation_notice(account_id, mailed_on, None, returned_on)
