"""What supervisors watch: each collector's capacity, portfolios, queue and the day's
work; each portfolio's day and week, the offers waiting for a supervisor, and the
week's contact-rule findings in words. Read-only: every figure comes from the service
of the domain that keeps it, for the clients the reader may see. Days are the agency's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from server.accounts import service as accounts
from server.auth import service as auth
from server.auth.principal import Principal
from server.clients import service as clients
from server.dispatch import service as dispatch
from server.kit import clock
from server.kit.errors import InvalidInput
from server.kit.pagination import PageRequest
from server.queues import service as queues
from server.queues.rules.explain import rule_sentence
from server.settlements.services import activity as money
from server.supervision.schemas import (
    Activity,
    CollectorsRead,
    CollectorView,
    FindingRead,
    OfferAwaiting,
    PortfolioName,
    PortfoliosRead,
    PortfolioView,
)

# The newest findings a portfolio's view lists; GET /api/v1/violations pages through all.
FINDINGS_SHOWN = 20


def _day(day: date | None) -> date:
    today = clock.agency_today()
    if day is not None and day > today:
        raise InvalidInput.field("day", f"must not be after today ({today})")
    return day or today


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[the start of `first`, the start of the day after `last`) in the agency's zone."""
    zone = clock.agency_zone()
    return clock.start_of_day(first, zone), clock.start_of_day(last + timedelta(days=1), zone)


async def _activity(actor: Principal, group: str, first: date, last: date) -> dict[UUID, Activity]:
    calls = await queues.call_activity(actor, group, *_bounds(first, last))
    paid = await money.payments_received(actor, group, first, last)
    return {
        key: Activity(**{**calls.get(key, {}), **paid.get(key, {})})
        for key in calls.keys() | paid.keys()
    }


async def collectors_view(actor: Principal, day: date | None) -> CollectorsRead:
    """Every collector: capacity, portfolios, queue depth and the day's activity."""
    day = _day(day)
    people = await auth.collectors()
    names = {row["id"]: row["name"] for row in await clients.client_names(actor)}
    depths = await dispatch.queue_depths()
    today = await _activity(actor, "collector", day, day)
    items = []
    for person in people:
        queued, leased = depths.get(person.user_id, (0, 0))
        items.append(
            CollectorView(
                collector_id=person.user_id, username=person.username, active=person.active,
                capacity=person.capacity,
                portfolios=[PortfolioName(c, names[c]) for c in person.client_ids if c in names],
                queued=queued, leased=leased,
                spare_capacity=None if person.capacity is None else person.capacity - queued,
                today=today.get(person.user_id, Activity()),
            )
        )  # fmt: skip
    return CollectorsRead(day=day, items=items)


async def _awaiting(actor: Principal) -> dict[UUID, list[OfferAwaiting]]:
    rows = await money.offers_awaiting_supervisor(actor)
    labels = await accounts.account_labels(actor, [r["account_id"] for r in rows])
    found: dict[UUID, list[OfferAwaiting]] = {}
    for r in rows:
        number, debtor = labels.get(r["account_id"], (None, None))
        balance = int(r["balance_cents"])
        percent = 0 if balance <= 0 else int(r["amount_cents"]) * 100 // balance
        found.setdefault(r["client_id"], []).append(
            OfferAwaiting(
                offer_id=r["id"], account_id=r["account_id"], client_account_number=number,
                debtor=debtor or None, kind=r["kind"], amount_cents=int(r["amount_cents"]),
                balance_cents=balance, percent_of_balance=percent, created_by=r["created_by"],
                created_at=r["created_at"],
            )
        )  # fmt: skip
    return found


async def _findings(
    actor: Principal, client_id: UUID, since: datetime, until: datetime
) -> list[FindingRead]:
    page = await queues.list_violations(
        actor, PageRequest(limit=FINDINGS_SHOWN), client_id=client_id,
        started_from=since, started_to=until,
    )  # fmt: skip
    labels = await accounts.account_labels(actor, [v.account_id for v in page.items])
    return [
        FindingRead(
            call_id=v.call_id, account_id=v.account_id,
            client_account_number=labels.get(v.account_id, (None, None))[0],
            collector_id=v.collector_id, started_at=v.started_at, rules=v.rules,
            explanations=[rule_sentence(rule) for rule in v.rules],
        )
        for v in page.items
    ]  # fmt: skip


async def portfolios_view(actor: Principal, day: date | None) -> PortfoliosRead:
    """Every client's portfolio: the day's and the week's activity (Monday to `day`), the
    offers waiting for a supervisor with their debtor and account number, and the week's
    findings with their explanations."""
    day = _day(day)
    monday = day - timedelta(days=day.weekday())
    today = await _activity(actor, "client", day, day)
    week = await _activity(actor, "client", monday, day)
    awaiting = await _awaiting(actor)
    since, until = _bounds(monday, day)
    items = []
    for row in await clients.client_names(actor):
        if row["status"] != "active" and row["id"] not in week:
            continue
        items.append(
            PortfolioView(
                client_id=row["id"], name=row["name"],
                today=today.get(row["id"], Activity()), week=week.get(row["id"], Activity()),
                offers_awaiting_supervisor=awaiting.get(row["id"], []),
                findings=await _findings(actor, row["id"], since, until),
            )
        )  # fmt: skip
    return PortfoliosRead(day=day, week_from=monday, items=items)
