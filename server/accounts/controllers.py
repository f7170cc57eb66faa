"""Accounts: thin controllers over the accounts service."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post, put
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.accounts import notes, preferences, service
from server.accounts.schemas import (
    AccountRead,
    AccountSummary,
    AddressChange,
    InconvenientTimesUpdate,
    MediumRefusalCreate,
    NoteCreate,
    NoteRead,
    PhoneCreate,
    PhoneUpdate,
    StatusActionRequest,
)
from server.accounts.statuses import AccountStatus, StatusAction
from server.auth.guards import CurrentPrincipal, requires
from server.auth.principal import Role
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit

# The agency's own routes: its people write them, a client's users and tokens do not.
agency_only = requires(Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR)


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]

    @get(operation_id="ListAccounts")
    async def list_accounts(
        self,
        principal: CurrentPrincipal,
        client_id: Annotated[UUID | None, QueryParameter(name="client_id")] = None,
        status: Annotated[AccountStatus | None, QueryParameter(name="status")] = None,
        q: Annotated[str | None, QueryParameter(name="q", max_length=100)] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[AccountSummary]:
        """Accounts the caller may see, newest first; `q` searches the account number and
        the debtor's name by prefix, and the person's phone number written any common way
        ("(312) 939-7362", "3129397362", "+13129397362"): a client finds only the numbers
        it supplied."""
        return await service.list_accounts(
            principal, page_request(limit, cursor), client_id=client_id, status=status, query=q
        )

    @get("/{account_id:uuid}", operation_id="GetAccount")
    async def get_account(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID]
    ) -> AccountRead:
        """Balances, debtor, phones, status and its history, and the blocks in force."""
        return await service.get_account(principal, account_id)


class NoteController(Controller):
    """Notes are the agency's own record: its people write and read them, never a client."""

    path = "/api/v1/accounts/{account_id:uuid}/notes"
    tags = ["accounts"]
    guards = [agency_only]

    @post(operation_id="AddAccountNote", status_code=HTTP_201_CREATED)
    async def add_note(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID], data: JSONBody[NoteCreate]
    ) -> NoteRead:
        """A note on the account outside a call (a letter that came in, a word with the
        client): kept forever, never edited, audited."""
        return await notes.add_note(principal, account_id, data)

    @get(operation_id="ListAccountNotes")
    async def list_notes(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[NoteRead]:
        """The account's notes, newest first."""
        return await notes.list_notes(principal, account_id, page_request(limit, cursor))


class PreferenceController(Controller):
    """The consumer's contact preferences, as the agency's people hear them. They bind
    every account of the person (any client's); each answers the account's detail."""

    path = "/api/v1/accounts/{account_id:uuid}"
    tags = ["accounts"]
    guards = [agency_only]

    @post("/phones", operation_id="AddPhone", status_code=HTTP_201_CREATED)
    async def add_phone(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID], data: JSONBody[PhoneCreate]
    ) -> AccountRead:
        """A number learned on a call about the account (written any common US way),
        kept as the account's client's number: it starts with the status the person's
        number already has. A number the client's accounts already have is 409
        `phone_exists`."""
        return await preferences.add_phone(principal, account_id, data)

    @patch("/phones/{phone_id:uuid}", operation_id="UpdatePhone")
    async def update_phone(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        phone_id: FromPath[UUID],
        data: JSONBody[PhoneUpdate],
    ) -> AccountRead:
        """A number's status (valid, wrong_number, not_in_service, do_not_call) and/or its
        employer's ban on calls, on every supplier's row of the number: from
        `received_at` on, for every account of the person."""
        return await preferences.change_phone(principal, account_id, phone_id, data)

    @put("/inconvenient-times", operation_id="SetInconvenientTimes")
    async def set_inconvenient_times(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        data: JSONBody[InconvenientTimesUpdate],
    ) -> AccountRead:
        """Replace the times the consumer said are inconvenient (12 CFR 1006.6(b)(1)); an
        empty list clears them. Each on the clock of the zone the consumer spoke in, else
        their home's."""
        return await preferences.set_inconvenient_times(principal, account_id, data)

    @put("/address", operation_id="ChangeAddress")
    async def change_address(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID], data: JSONBody[AddressChange]
    ) -> AccountRead:
        """The consumer's new address (a US street address; the ZIP sets the zone), learned
        on the account: its client sees it, no other does. The newest binds the contact
        rules for every account of the person at once; older ones stay as history
        (`debtor.learned_addresses`), and letters go to it while it is newer than what the
        account's client last sent."""
        return await preferences.change_address(principal, account_id, data)

    @post("/media-refusals", operation_id="RefuseMedium", status_code=HTTP_201_CREATED)
    async def refuse_medium(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        data: JSONBody[MediumRefusalCreate],
    ) -> AccountRead:
        """The consumer asked not to be reached by a medium (12 CFR 1006.14(h)): telephone
        stops every call to the person; e-mail and text are kept for the senders."""
        return await preferences.refuse_medium(principal, account_id, data)


def _status_action(action: StatusAction, summary: str) -> HTTPRouteHandler:
    async def handler(
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        data: JSONBody[StatusActionRequest],
    ) -> AccountRead:
        return await service.change_status(principal, account_id, action, data)

    handler.__doc__ = summary
    return post(
        f"/api/v1/accounts/{{account_id:uuid}}/{action}",
        operation_id=f"{action.title()}Account",
        status_code=HTTP_200_OK,
        tags=["accounts"],
    )(handler)


# One route per action, as the contract names them, each with its own operation.
status_routes = [
    _status_action(StatusAction.RECALL, "Recall an account: the client takes it back."),
    _status_action(StatusAction.DISPUTE, "Record a dispute (channel required): collection stops."),
    _status_action(StatusAction.VERIFICATION, "Record verification of a dispute: work resumes."),
    _status_action(
        StatusAction.CEASE,
        "Record a cease request: written ceases communication; oral closes the telephone.",
    ),
    _status_action(
        StatusAction.CONSENT,
        "Record the consumer's written consent to be contacted again (consent.document_reference"
        " and consent.document_date, supervisor or admin): lifts a written cease.",
    ),
    _status_action(
        StatusAction.STATUS,
        "Add a bankruptcy, deceased or attorney represented block with its evidence, close,"
        " or lift a bankruptcy or attorney block (status active, supervisor or admin).",
    ),
]


routes = [AccountController, NoteController, PreferenceController, *status_routes]
