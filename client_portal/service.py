"""What each portal page shows, assembled from the domain services the API uses. The
portal owns no tables and runs no queries of its own: every figure comes from a service,
which checks that the signed-in client may see it (another client's id is NotFound)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from client_portal.charts import LiquidationChart, liquidation_chart
from client_portal.templating import percent
from server.accounts import service as accounts
from server.accounts.schemas import (
    AccountRead,
    AccountSummary,
    StatusActionRequest,
    StatusTotalsRead,
)
from server.accounts.statuses import FINISHED, AccountStatus, Channel, StatusAction
from server.auth.principal import Principal
from server.clients import service as clients
from server.clients.column_map import FileKind
from server.clients.schemas import ClientRead, Tier
from server.disputes import service as disputes
from server.disputes.schemas import OpenDisputeRead
from server.kit import db
from server.kit.clock import local_date
from server.kit.errors import InvalidInput, NotFound
from server.kit.pages import form_as
from server.kit.pagination import Page, page_request
from server.kit.settings import get_settings
from server.kit.uploads import Upload
from server.letters import service as letters
from server.letters.schemas import NoticeStateRead
from server.placements import service as placements
from server.placements.schemas import PlacementErrorRead, PlacementRead
from server.queues.rules.facts import CONVERSATION_OUTCOMES
from server.queues.schemas import CallSummary
from server.settlements.remittance import payouts
from server.settlements.remittance import service as remittance
from server.settlements.remittance.schemas import PayoutRead, RemittedRead, StatementRead
from server.settlements.remittance.statements import StatementDocument, usd
from server.settlements.schemas import (
    MoneySection,
    OfferDecision,
    OfferRead,
    OfferStatus,
    VintageRead,
)
from server.settlements.services import offers, payments, reporting

PAGE_SIZE = 25
# The dashboard names at most this many files too young for the recovery rate.
YOUNG_FILES_LISTED = 50
# The placement page shows this many row errors; the CSV download has them all.
ERRORS_SHOWN = 200
# At most this many on one page: a client rarely has more offers waiting, or more
# statements than a daily cycle issues in half a year.
OFFERS_LISTED = 200
STATEMENTS_LISTED = 200


def client_of(principal: Principal) -> UUID:
    # Portal sessions exist only for client users, who each belong to one client.
    assert principal.client_id is not None
    return principal.client_id


async def client(principal: Principal) -> ClientRead:
    """The signed-in user's client, named at the top of every page."""
    return await clients.get_client(principal, client_of(principal))


# --- dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    client: ClientRead
    accounts: int
    placed_cents: int
    balance_cents: int
    collected_cents: int
    by_status: list[StatusTotalsRead]
    remitted: RemittedRead
    vintages: list[VintageRead]
    chart: LiquidationChart
    offers_waiting: int
    placements: list[PlacementRead]
    in_flight: reporting.MoneyInFlight
    mature: reporting.MatureRecovery
    # The files placed after `mature.since`, newest first (at most YOUNG_FILES_LISTED).
    young_files: list[PlacementRead]

    def status_share(self, totals: StatusTotalsRead) -> int:
        """A status's share of the accounts, in whole percent (for the bar)."""
        return totals.accounts * 100 // self.accounts if self.accounts else 0


async def dashboard(principal: Principal) -> Dashboard:
    client_id = client_of(principal)
    by_status = await accounts.accounts_by_status(principal, client_id)
    vintages = await reporting.liquidation(principal, client_id)
    waiting = await offers.list_offers(
        principal, page_request(OFFERS_LISTED, None), status=OfferStatus.PENDING_CLIENT,
        client_id=client_id, account_id=None,
    )  # fmt: skip
    recent = await placements.list_placements(principal, page_request(5, None), client_id)
    mature = await reporting.mature_recovery(principal, client_id)
    listed = await placements.list_placements(
        principal, page_request(YOUNG_FILES_LISTED, None), client_id
    )
    zone = get_settings().agency_timezone
    young = [p for p in listed.items if local_date(p.created_at, zone) > mature.since]
    return Dashboard(
        client=await client(principal),
        accounts=sum(s.accounts for s in by_status),
        placed_cents=sum(s.placed_balance_cents for s in by_status),
        balance_cents=sum(s.balance_cents for s in by_status),
        collected_cents=await reporting.collected(principal, client_id),
        by_status=by_status,
        remitted=await remittance.remitted(principal, client_id),
        vintages=vintages,
        chart=liquidation_chart(vintages),
        offers_waiting=len(waiting.items),
        placements=recent.items,
        in_flight=await reporting.money_in_flight(principal, client_id),
        mature=mature,
        young_files=young,
    )


def dashboard_rows(view: Dashboard) -> list[list[Any]]:
    """The dashboard's figures as the export has them: figure, cents, dollars, what it is."""
    m, f = view.mature, view.in_flight
    since = f"{m.since:%b} {m.since.day}, {m.since.year}"
    figures = [
        ("collected", view.collected_cents,
         "Everything paid on your accounts, less returned payments"),
        ("paid_to_you_directly", f.direct_cents,
         "Paid to you directly (the agency's fee is owed)"),
        ("remitted", view.remitted.remit_cents, "Remitted to you on issued statements"),
        ("pending_cleared", f.cleared_cents, "Cleared, waiting for its statement period to end"),
        ("pending_not_cleared", f.clearing_cents, "Received by the agency, not yet cleared"),
        ("placed_90_days_or_more", m.placed_cents, f"Balance placed on or before {since}"),
        ("collected_90_days_or_more", m.collected_cents,
         f"Collected on accounts placed on or before {since}"),
        ("placed_all", view.placed_cents, "Balance placed, all files"),
        ("placed_under_90_days", m.young_placed_cents,
         f"Balance placed after {since} ({m.young_accounts} accounts)"),
        ("balance", view.balance_cents, "Current balance of all accounts"),
    ]  # fmt: skip
    rows: list[list[Any]] = [[name, cents, usd(cents), words] for name, cents, words in figures]
    rows.append(["recovery_rate_90_days_or_more", "", percent(m.collected_cents, m.placed_cents),
                 "Collected ÷ placed, placements 90 days old or more"])  # fmt: skip
    rows.append(["recovery_rate_all", "", percent(view.collected_cents, view.placed_cents),
                 "Collected ÷ placed, all files"])  # fmt: skip
    return rows


# --- placements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementsPage:
    client: ClientRead
    placements: list[PlacementRead]
    next_cursor: str | None
    kinds: list[FileKind]
    tiers: list[str]


async def placements_page(principal: Principal, cursor: str | None) -> PlacementsPage:
    client_id = client_of(principal)
    page = await placements.list_placements(principal, page_request(PAGE_SIZE, cursor), client_id)
    found = await client(principal)
    return PlacementsPage(
        client=found,
        placements=page.items,
        next_cursor=page.next_cursor,
        kinds=list(FileKind),
        tiers=[t for t in Tier if t in found.fee_rates_bps],
    )


class _UploadOptions(msgspec.Struct):
    kind: FileKind
    tier: Tier


async def upload(
    principal: Principal, kind: str, tier: str, upload: Upload
) -> tuple[PlacementRead, bool]:
    values = form_as({"kind": kind or FileKind.NEW_BUSINESS, "tier": tier or Tier.PRIMARY},
                      _UploadOptions)  # fmt: skip
    return await placements.receive_placement(
        principal, client_id=client_of(principal), kind=values.kind, tier=values.tier,
        upload=upload,
    )  # fmt: skip


@dataclass(frozen=True)
class PlacementView:
    placement: PlacementRead
    errors: list[PlacementErrorRead]
    more_errors: bool

    @property
    def finished(self) -> bool:
        return self.placement.status in ("loaded", "awaiting_confirmation", "rejected", "failed")

    @property
    def held(self) -> bool:
        return self.placement.status == "awaiting_confirmation"

    @property
    def failed(self) -> bool:
        return self.placement.status == "failed"


async def placement_view(principal: Principal, placement_id: UUID) -> PlacementView:
    placement = await placements.get_placement(principal, placement_id)
    errors = await placements.placement_errors(principal, placement_id, ERRORS_SHOWN, None)
    return PlacementView(placement, errors.items, errors.next_cursor is not None)


async def decide_placement(principal: Principal, placement_id: UUID, confirm: bool) -> None:
    """The client confirms a held placement's balances, or cancels it."""
    if confirm:
        await placements.confirm_placement(principal, placement_id)
    else:
        await placements.cancel_placement(principal, placement_id)


async def placement_errors_csv(principal: Principal, placement_id: UUID) -> AsyncIterator[bytes]:
    return await placements.placement_errors_csv(principal, placement_id)


async def acknowledgement_csv(principal: Principal, placement_id: UUID) -> AsyncIterator[bytes]:
    return await placements.acknowledgement_csv(principal, placement_id)


# --- accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountsPage:
    accounts: list[AccountSummary]
    next_cursor: str | None
    query: str
    status: str
    statuses: list[AccountStatus]
    # Each listed account's validation notice, from the letters' mailing records.
    notices: dict[UUID, NoticeStateRead]
    # Statuses an account is no longer the agency's in: nothing to recall.
    finished: frozenset[str] = FINISHED


async def accounts_page(
    principal: Principal, query: str, status: str, cursor: str | None
) -> AccountsPage:
    wanted = AccountStatus(status) if status in AccountStatus.__members__.values() else None
    page = await accounts.list_accounts(
        principal, page_request(PAGE_SIZE, cursor), client_id=client_of(principal),
        status=wanted, query=query[:100] or None,
    )  # fmt: skip
    notices = await letters.notice_states(principal, [a.account_id for a in page.items])
    return AccountsPage(
        accounts=page.items, next_cursor=page.next_cursor, query=query,
        status=wanted or "", statuses=list(AccountStatus), notices=notices,
    )  # fmt: skip


@dataclass(frozen=True)
class ContactSummary:
    attempts: int
    conversations: int
    last_contact: datetime | None
    recent: list[CallSummary]


@dataclass(frozen=True)
class AccountView:
    account: AccountRead
    contacts: ContactSummary
    money: MoneySection | None
    offers: list[OfferRead]
    notice: NoticeStateRead

    @property
    def recallable(self) -> bool:
        return self.account.status not in FINISHED


async def account_view(principal: Principal, account_id: UUID) -> AccountView:
    account = await accounts.get_account(principal, account_id)
    # The contacts section lists calls without their notes: what collectors write is the
    # agency's working record, not the client's.
    calls = list(account.sections.get("contacts", {}).get("recent_calls", []))
    listed = await offers.list_offers(
        principal, page_request(10, None), status=None, client_id=None, account_id=account_id
    )
    return AccountView(
        account=account,
        contacts=ContactSummary(
            attempts=len(calls),
            conversations=sum(1 for c in calls if c.outcome in CONVERSATION_OUTCOMES),
            last_contact=max((c.started_at for c in calls), default=None),
            recent=calls,
        ),
        money=account.sections.get("money"),
        offers=listed.items,
        notice=(await letters.notice_states(principal, [account_id]))[account_id],
    )


async def open_disputes(principal: Principal, cursor: str | None) -> Page[OpenDisputeRead]:
    """The client's disputes not yet answered, oldest first (the aging report)."""
    return await disputes.open_disputes(principal, page_request(PAGE_SIZE, cursor))


async def accounts_csv(principal: Principal) -> AsyncIterator[bytes]:
    return await reporting.accounts_csv(principal, client_of(principal))


async def payments_csv(principal: Principal, account_id: UUID) -> AsyncIterator[bytes]:
    """The account's payments as the API's CSV has them."""
    return await payments.payments_csv(principal, account_id)


def _recall_request(reason: str) -> StatusActionRequest:
    if not reason:
        raise InvalidInput.field("reason", "say why the account is recalled")
    request: StatusActionRequest = form_as(
        {"reason": reason, "channel": Channel.ELECTRONIC}, StatusActionRequest
    )
    return request


@dataclass(frozen=True)
class RecallPlan:
    """What a recall would take back, shown to confirm before anything changes: the
    accounts (our id, the client's number) and their total balance."""

    reason: str
    accounts: list[tuple[UUID, str]]
    balance_cents: int

    @property
    def count(self) -> int:
        return len(self.accounts)


async def recall_plan(
    principal: Principal, account_ids: list[str], numbers: list[str], reason: str
) -> RecallPlan:
    """Every account named, by id (ticked on the list) or by the client's account number
    (pasted), checked as the recall will be: an unknown or someone else's id is NotFound,
    an unknown number is named back, an empty list or reason is refused."""
    rows = []
    for raw in dict.fromkeys(account_ids):
        try:
            account_id = UUID(raw)
        except ValueError:
            raise NotFound("no such account") from None
        # Seen before the form is judged: someone else's account is 404 whatever was sent.
        rows.append(await accounts.visible_account(principal, account_id))
    _recall_request(reason)
    unknown = []
    for number in numbers:
        found = await _open_account_numbered(principal, number)
        if found is None:
            unknown.append(number)
        elif found not in {r["id"] for r in rows}:
            rows.append(await accounts.visible_account(principal, found))
    if unknown:
        shown = ", ".join(unknown[:20]) + (" …" if len(unknown) > 20 else "")
        raise InvalidInput.field("numbers", f"no open account with the number {shown}")
    if not rows:
        raise InvalidInput.field("numbers", "tick accounts or enter account numbers to recall")
    return RecallPlan(
        reason=reason,
        accounts=[(r["id"], r["client_account_number"]) for r in rows],
        balance_cents=sum(int(r["balance_cents"]) for r in rows),
    )


async def recall_many(
    principal: Principal, account_ids: list[str], numbers: list[str], reason: str
) -> int:
    """Recall every account named (as recall_plan reads them), all or none: an account
    that cannot be recalled stops the whole list."""
    plan = await recall_plan(principal, account_ids, numbers, reason)
    request = _recall_request(reason)
    async with db.transaction():
        for account_id, _ in plan.accounts:
            await accounts.change_status(principal, account_id, StatusAction.RECALL, request)
    return plan.count


async def _open_account_numbered(principal: Principal, number: str) -> UUID | None:
    page = await accounts.list_accounts(
        principal, page_request(20, None), client_id=client_of(principal), query=number[:100]
    )
    for account in page.items:
        if (
            account.client_account_number.lower() == number.lower()
            and account.status != AccountStatus.RECALLED
        ):
            return account.account_id
    return None


# --- approvals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    offer: OfferRead
    account: AccountRead


async def approvals(principal: Principal) -> list[Approval]:
    waiting = await offers.list_offers(
        principal, page_request(OFFERS_LISTED, None), status=OfferStatus.PENDING_CLIENT,
        client_id=client_of(principal), account_id=None,
    )  # fmt: skip
    return [
        Approval(offer, await accounts.get_account(principal, offer.account_id))
        for offer in reversed(waiting.items)
    ]


async def decide(principal: Principal, offer_id: UUID, decision: str, reason: str) -> OfferRead:
    # Seen before the form is judged: someone else's offer is 404 whatever was sent.
    await offers.get_offer(principal, offer_id)
    if decision == "reject" and not reason:
        raise InvalidInput.field("reason", "say why the offer is rejected")
    data: OfferDecision = form_as({"decision": decision, "reason": reason or None}, OfferDecision)
    return await offers.decide_offer(principal, offer_id, data)


# --- statements -------------------------------------------------------------------------------


async def statements_list(principal: Principal) -> list[StatementRead]:
    """Newest period first, in the API's own order."""
    page = await remittance.list_statements(
        principal, page_request(STATEMENTS_LISTED, None), client_of(principal)
    )
    return page.items


@dataclass(frozen=True)
class StatementView:
    statement: StatementRead
    account_numbers: dict[UUID, str]
    period: str


async def statement(principal: Principal, statement_id: UUID) -> StatementView:
    doc = await payouts.statement_document(principal, statement_id)
    return StatementView(doc.statement, doc.account_numbers, doc.period)


async def statement_document(principal: Principal, statement_id: UUID) -> StatementDocument:
    return await payouts.statement_document(principal, statement_id)


async def advice_document(
    principal: Principal, statement_id: UUID
) -> tuple[StatementDocument, PayoutRead]:
    return await payouts.advice_document(principal, statement_id)


async def invoice_document(principal: Principal, statement_id: UUID) -> StatementDocument:
    return await payouts.invoice_document(principal, statement_id)
