"""What a supervisor's pages show and do: the offers beyond a collector's band waiting
for a decision, each with its account's context and the collector's reason, decided as
the API's POST /offers/{id}/decision decides it (four eyes: never one's own offer, which
settlements refuses); the week's contact-rule findings in words, and every collector's
capacity, portfolios, queue and day (supervision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from server.accounts import service as accounts
from server.auth import service as auth
from server.auth.principal import Principal, Role
from server.dispatch import service as work_queue
from server.dispatch.schemas import DispatchRead, QueueItemRead, ScorePartRead
from server.kit.errors import InvalidInput, NotPermitted
from server.kit.pages import form_as
from server.kit.pagination import page_request
from server.settlements.schemas import OfferDecision, OfferRead, OfferStatus
from server.settlements.services import offers
from server.supervision import service as supervision
from server.supervision.schemas import CollectorsRead, FindingRead, PortfolioView

# How many of a collector's people their queue's page shows, best first (the API pages
# through them all).
QUEUE_SHOWN = 25
# How many waiting offers the page lists (the API pages through them all).
AWAITING_SHOWN = 50


def require_supervisor(actor: Principal) -> None:
    """Deciding offers and reading findings are a supervisor's (and an admin's)."""
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise NotPermitted("only supervisors and admins decide offers and read findings")


@dataclass(frozen=True)
class Awaiting:
    offer: OfferRead
    account_number: str | None
    debtor: str | None
    # The offer as a share of the balance it was judged against, in whole percent.
    percent: int
    made_by: str
    reason: str | None
    # Made by the reader: four eyes, someone else decides it.
    mine: bool


async def awaiting(actor: Principal) -> list[Awaiting]:
    """Offers pending a supervisor, oldest first (the longest waiting at the top)."""
    require_supervisor(actor)
    found = await offers.list_offers(
        actor, page_request(AWAITING_SHOWN, None), status=OfferStatus.PENDING_SUPERVISOR,
        client_id=None, account_id=None,
    )  # fmt: skip
    labels = await accounts.account_labels(actor, [o.account_id for o in found.items])
    names = {u.user_id: u.username for u in await auth.collectors()}
    items = []
    for offer in reversed(found.items):
        number, debtor = labels.get(offer.account_id, (None, None))
        balance = offer.balance_cents
        items.append(
            Awaiting(
                offer=offer, account_number=number, debtor=debtor or None,
                percent=0 if balance <= 0 else offer.amount_cents * 100 // balance,
                made_by="you" if offer.created_by == actor.id
                else names.get(offer.created_by, "another member of staff"),
                reason=offer.reason, mine=offer.created_by == actor.id,
            )
        )  # fmt: skip
    return items


async def decide(actor: Principal, offer_id: UUID, decision: str, reason: str) -> OfferRead:
    require_supervisor(actor)
    # Seen before the form is judged: an offer the reader may not see is 404 whatever was sent.
    await offers.get_offer(actor, offer_id)
    if decision not in ("accept", "reject"):
        raise InvalidInput.field("decision", "choose accept or reject")
    if not reason:
        raise InvalidInput.field("reason", "say why, for the record")
    data = form_as({"decision": decision, "reason": reason}, OfferDecision)
    return await offers.decide_offer(actor, offer_id, data)


async def collectors(actor: Principal) -> CollectorsRead:
    """Every collector: capacity, portfolios, queue depth and the day's work."""
    require_supervisor(actor)
    return await supervision.collectors_view(actor, None)


@dataclass(frozen=True)
class Findings:
    week_from: date
    # Every portfolio's day and week (calls, contacts, promises, payments, dollars, offers
    # waiting), the supervisors' dashboard of GET /api/v1/supervision/portfolios.
    dashboard: list[PortfolioView]
    # (portfolio name, its findings), portfolios with none left out.
    portfolios: list[tuple[str, list[FindingRead]]]
    collectors: dict[UUID, str]


async def findings(actor: Principal) -> Findings:
    """Each portfolio's day and week, and the week's calls in breach of a contact rule,
    by portfolio, with explanations."""
    require_supervisor(actor)
    view = await supervision.portfolios_view(actor, None)
    names = {u.user_id: u.username for u in await auth.collectors()}
    return Findings(
        week_from=view.week_from,
        dashboard=view.items,
        portfolios=[(p.name, p.findings) for p in view.items if p.findings],
        collectors=names,
    )


@dataclass(frozen=True)
class QueueLine:
    item: QueueItemRead
    # The best account's score parts in words, as the account detail gives them (none:
    # not scored yet).
    parts: list[ScorePartRead]


@dataclass(frozen=True)
class CollectorQueue:
    username: str
    capacity: int | None
    lines: list[QueueLine]
    more: bool


async def collector_queue(actor: Principal, collector_id: UUID) -> CollectorQueue:
    """A collector's queue as GET /queues/{collector} reads it, best first, with why each
    person is where they are (the account detail's `sections.score.parts`)."""
    require_supervisor(actor)
    found = await work_queue.queue(
        actor, collector_id, with_scores=True, page=page_request(QUEUE_SHOWN, None)
    )
    names = {u.user_id: u.username for u in await auth.collectors()}
    lines = []
    for item in found.items:
        section = (
            await work_queue.score_section(actor, item.accounts[0].account_id)
            if item.accounts
            else None
        )
        lines.append(QueueLine(item=item, parts=section.parts if section else []))
    return CollectorQueue(
        username=names.get(collector_id, "a collector"),
        capacity=found.capacity,
        lines=lines,
        more=found.next_cursor is not None,
    )


async def run_dispatcher(actor: Principal) -> DispatchRead:
    """POST /dispatch/run: rescore every open account and refill every queue now."""
    require_supervisor(actor)
    return await work_queue.dispatch(actor)
