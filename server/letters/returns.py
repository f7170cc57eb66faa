"""The letter vendor's return file: what it mailed and when, what came back and why.

CSV with the columns `letter_id, mailed_on, returned_on, reason` (ISO dates; a row gives
a mailing, a return, or both). Each row is applied or refused on its own, with the line
and the reason; the vendor's facts are recorded once (one event of each kind per letter),
so the same file imported twice changes nothing.

`mailed_on` is the only thing that dates a notice (DESIGN: no account carries a sent date
without a mailing record). A notice mailed after its planned date is void: its printed end
date was computed from the plan and would cut the consumer's period short (12 CFR
1006.34(b)(5)); the account has no period until the notice made again is mailed. Mail that
came back keeps its mailing in the history, leaves the account `returned_undeliverable`
with no period end, and marks the address bad for every account of the person that mails
there, so their next letters wait for a better one. A letter that answers a dispute
(verification, original creditor, duplicate) mailed answers it (server.disputes.answers).
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import msgspec

from server.accounts import validation_notices as accounts
from server.audit import service as audit
from server.auth.principal import Principal
from server.disputes import answers as dispute_answers
from server.kit import clock, db
from server.kit.errors import InvalidInput
from server.letters import repository
from server.letters.schemas import ReturnImportRead, ReturnRowError
from server.letters.service import NOTICE

COLUMNS = ("letter_id", "mailed_on", "returned_on", "reason")
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class ReturnRow:
    line: int
    letter_id: UUID
    mailed_on: date | None
    returned_on: date | None
    reason: str | None


@dataclass
class _Tally:
    rows_read: int = 0
    mailed: int = 0
    returned: int = 0
    voided: int = 0
    unchanged: int = 0
    errors: list[ReturnRowError] = field(default_factory=list)

    def refuse(self, line: int, column: str, reason: str) -> None:
        self.errors.append(ReturnRowError(line=line, field=column, reason=reason))


def _day(text: str, line: int, column: str, tally: _Tally) -> date | bool | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        tally.refuse(line, column, f"{text.strip()!r} is not a date (YYYY-MM-DD)")
        return False


def parse_rows(body: bytes, today: date, tally: _Tally) -> list[ReturnRow]:
    """The file's rows that can be applied; the others are refused in `tally`."""
    try:
        return _parse_rows(body, today, tally)
    except csv.Error as error:
        raise InvalidInput.field("file", f"is not CSV ({error})") from None


def _parse_rows(body: bytes, today: date, tally: _Tally) -> list[ReturnRow]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.field("file", "is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise InvalidInput.field("file", f"the header lacks {', '.join(missing)}")
    reader.fieldnames = header
    rows: list[ReturnRow] = []
    for raw in reader:
        line = reader.line_num
        tally.rows_read += 1
        values = {name: (raw.get(name) or "") for name in COLUMNS}
        try:
            letter_id = UUID(values["letter_id"].strip())
        except ValueError:
            tally.refuse(line, "letter_id", "is not a letter id")
            continue
        mailed = _day(values["mailed_on"], line, "mailed_on", tally)
        returned = _day(values["returned_on"], line, "returned_on", tally)
        if mailed is False or returned is False:
            continue
        assert not isinstance(mailed, bool)
        assert not isinstance(returned, bool)
        if mailed is None and returned is None:
            tally.refuse(line, "mailed_on", "a row gives mailed_on, returned_on or both")
        elif (mailed and mailed > today) or (returned and returned > today):
            column = "mailed_on" if mailed and mailed > today else "returned_on"
            tally.refuse(line, column, "is in the future")
        elif mailed and returned and returned < mailed:
            tally.refuse(line, "returned_on", "is before mailed_on")
        else:
            reason = values["reason"].strip() or None
            rows.append(ReturnRow(line, letter_id, mailed, returned, reason))
    return rows


async def _apply(row: ReturnRow, import_id: UUID, tally: _Tally) -> None:
    letter = (await repository.letters([row.letter_id])).get(row.letter_id)
    if letter is None:
        tally.refuse(row.line, "letter_id", "no such letter")
        return
    seen = (await repository.events([row.letter_id])).get(row.letter_id, {})
    if row.mailed_on and "mailed" in seen and seen["mailed"] != row.mailed_on:
        tally.refuse(row.line, "mailed_on", f"the letter was reported mailed on {seen['mailed']}")
        return
    mailed_on = row.mailed_on or seen.get("mailed")
    if mailed_on is None:
        tally.refuse(row.line, "returned_on", "the letter has no mailing: give mailed_on")
        return
    made_on = clock.agency_date(letter["created_at"])
    if row.mailed_on and row.mailed_on < made_on:
        # A typo of a year would otherwise date the notice, and end its period, long ago.
        tally.refuse(row.line, "mailed_on", f"is before the letter was made ({made_on})")
        return
    if row.returned_on and row.returned_on < mailed_on:
        tally.refuse(row.line, "returned_on", "is before the letter was mailed")
        return
    account_id = letter["account_id"]
    # Only the account's latest notice speaks for it: a late report on an older one is
    # history, not the account's state.
    latest = await repository.latest_notice_id(account_id) == letter["letter_id"]
    changed = False
    if "mailed" not in seen:
        changed = True
        tally.mailed += 1
        await repository.insert_event(letter["letter_id"], "mailed", mailed_on, None, import_id)
        # Only a notice is void when mailed late: the end date printed on it counts from
        # the planned mailing. Another letter's dates do not depend on its own mailing.
        if mailed_on > letter["planned_mailing_on"] and letter["kind"] == NOTICE:
            tally.voided += 1
            seen["void"] = mailed_on
            reason = f"mailed {mailed_on}, after the planned {letter['planned_mailing_on']}"
            await repository.insert_event(letter["letter_id"], "void", mailed_on, reason,
                                          import_id)  # fmt: skip
            if latest:
                await accounts.record_notice_void(account_id)
        elif latest and "returned" not in seen:
            await accounts.record_notice_mailed(
                account_id, mailed_on, letter["printed_period_ends_on"]
            )
        if letter["kind"] in dispute_answers.KINDS:
            # The answer to a dispute mailed: the dispute is answered, and the account's
            # dispute block lifts once no blocking dispute stays open.
            await dispute_answers.letter_mailed(
                letter["letter_id"], mailed_on, letter["created_at"]
            )
    if row.returned_on and "returned" not in seen:
        changed = True
        tally.returned += 1
        await repository.insert_event(
            letter["letter_id"], "returned", row.returned_on, row.reason, import_id
        )
        # Bad for every account of the person that mails there, not only this one.
        sharing = await accounts.accounts_sharing_address(account_id, letter["address_text"])
        for marked, text in {account_id: letter["address_text"], **sharing}.items():
            await repository.mark_address_bad(marked, text, letter["letter_id"], row.returned_on)
        if latest and "void" not in seen:
            await accounts.record_notice_returned(account_id, mailed_on, row.returned_on)
    if not changed:
        tally.unchanged += 1


async def import_returns(actor: Principal, body: bytes, file_name: str | None) -> ReturnImportRead:
    if len(body) > MAX_BYTES:
        raise InvalidInput.field("file", f"is over {MAX_BYTES} bytes")
    tally = _Tally()
    rows = parse_rows(body, clock.agency_today(), tally)
    import_id = uuid.uuid4()
    async with db.transaction():
        await repository.lock_letters()
        await repository.insert_import(
            import_id, hashlib.sha256(body).hexdigest(), (file_name or "")[:255] or None, actor.id
        )
        for row in rows:
            await _apply(row, import_id, tally)
        tally.errors.sort(key=lambda e: (e.line, e.field))
        result = ReturnImportRead(
            import_id=import_id, rows_read=tally.rows_read, mailed=tally.mailed,
            returned=tally.returned, voided=tally.voided, unchanged=tally.unchanged,
            errors=tally.errors,
        )  # fmt: skip
        await repository.set_import_report(import_id, msgspec.to_builtins(result))
        await audit.record(
            actor, "letters.returns_imported", "letter_return_import", import_id,
            after={"mailed": tally.mailed, "returned": tally.returned, "voided": tally.voided,
                   "errors": len(tally.errors)},
        )  # fmt: skip
    return result
