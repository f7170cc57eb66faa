"""The composition root's one start-up step: what lower domains need from higher ones.

A lower domain never imports a higher one; where it needs something of it, it declares a
registry or a parameter, and this fills them. `create_app()`, the worker's start-up and
the CLI commands that call services each call `wire()` once before serving; calling it
again changes nothing.
"""

from __future__ import annotations

from server.accounts import preferences
from server.accounts import service as accounts
from server.auth.client_lookup import ClientLookup, use_client_lookup
from server.clients import service as clients
from server.clients.column_map import FileKind
from server.dispatch import service as dispatch
from server.disputes import answers as dispute_answers
from server.disputes import service as disputes
from server.disputes import verification
from server.kit.client_notices import use_client_notifier
from server.letters import due as letters_due
from server.notices import service as notices
from server.placements.phones import normalize_phone
from server.placements.row_owners import register_row_owner
from server.queues import call_context
from server.queues import service as queues
from server.settlements import events as settlement_events
from server.settlements.services import authority_band, financial_rows, offers, reporting


def wire() -> None:
    # Auth checks the clients a user or token names against the clients service.
    use_client_lookup(
        ClientLookup(missing_clients=clients.missing_clients, require_client=clients.require_client)
    )
    # The account detail's sections, in the order the detail lists them.
    accounts.register_account_section("call", call_context.CALL_SECTION)
    accounts.register_account_section("contacts", queues.CONTACTS_SECTION)
    accounts.register_account_section("score", dispatch.SCORE_SECTION)
    accounts.register_account_section("money", reporting.MONEY_SECTION)
    accounts.register_account_section("offers", offers.OFFERS_SECTION)
    accounts.register_account_section("authority", authority_band.AUTHORITY_SECTION)
    accounts.register_account_section("disputes", disputes.DISPUTES_SECTION)
    # Every dispute (the status action, a call's outcome) is recorded and judged by the
    # disputes domain; the supervisor's verification lifts only a block no dispute awaiting
    # its answer letter holds (those lift when the letter is mailed).
    accounts.use_disputes(
        disputes.record_from_status_action, dispute_answers.supervisor_verification
    )
    # Accounts that leave collection (recall, close) take their live offers with them.
    accounts.register_left_collection(offers.withdraw_offers_of)
    # ...and close their open verification requests: nothing is asked of the client then.
    accounts.register_left_collection(verification.close_requests_of)
    # The account screen lists its verification requests and their documents.
    accounts.register_account_section("verification", verification.REQUESTS_SECTION)
    # A number learned on a call is read as the loader reads a file's (its zones too).
    preferences.use_phone_reader(_learned_number)
    # A financial file's rows are money: settlements applies and acknowledges them.
    register_row_owner(FileKind.FINANCIAL, financial_rows.FINANCIAL_ROW_OWNER)
    # An offer accepted, an account paid or settled in full: a letter is due.
    settlement_events.register_listener("letters", letters_due.settlement_event)
    # What the lower domains tell a client's users (a statement issued, a file loaded, an
    # offer awaiting it) is an e-mail notice, queued in their transaction.
    use_client_notifier(notices.notify_client)


def _learned_number(text: str, kind: str) -> preferences.LearnedNumber | None:
    phone = normalize_phone(text, kind)
    return None if phone is None else preferences.LearnedNumber(phone.e164, phone.time_zones)
