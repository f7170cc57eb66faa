"""Account notes: what the agency's staff write about an account outside a call. The
routes are the agency's own: no client user or token writes or reads a note."""

from __future__ import annotations

from uuid import UUID

from server.accounts import repository
from server.accounts.schemas import NoteCreate, NoteRead
from server.accounts.service import visible_account
from server.audit import service as audit
from server.auth.principal import Principal
from server.kit import db
from server.kit.errors import InvalidInput
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page


async def add_note(actor: Principal, account_id: UUID, data: NoteCreate) -> NoteRead:
    """A note on the account, kept forever (append-only) and audited."""
    text = data.text.strip()
    if not text:
        raise InvalidInput.field("text", "must not be blank")
    async with db.transaction():
        account = await visible_account(actor, account_id)
        row = await repository.insert_note(account_id, account["client_id"], actor.id, text)
        await audit.record(
            actor, "account.note", "account", account_id, client_id=account["client_id"],
            after={"note_id": row["note_id"]},
        )  # fmt: skip
    return read_as(NoteRead, row)


async def list_notes(actor: Principal, account_id: UUID, page: PageRequest) -> Page[NoteRead]:
    """The account's notes, newest first."""
    await visible_account(actor, account_id)
    rows = await repository.notes_of_account(account_id, page.after, page.fetch_limit)
    items = [read_as(NoteRead, r) for r in rows]
    return make_page(items, page, key=lambda n: (n.created_at, n.note_id))
