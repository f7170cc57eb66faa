"""`agency seed-demo`: a living system for a newcomer — users of every role, clients with
accounts placed through the real upload and loader, a call history, payments (some
reversed). Everything goes through the same services the API uses.

Idempotent: a second run finds what the first made and prints the same logins."""

from __future__ import annotations

import contextlib
import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from server.accounts import service as accounts
from server.accounts.statuses import AccountStatus
from server.auth import service as auth_service
from server.auth.errors import UsernameTaken
from server.auth.principal import SYSTEM, Principal
from server.auth.schemas import CollectorUpdate
from server.clients import service as clients
from server.clients.column_map import FileKind
from server.clients.schemas import ClientCreate, Tier
from server.dispatch import service as dispatch
from server.kit import clock
from server.kit.errors import DomainError
from server.kit.pagination import page_request
from server.kit.settings import Settings
from server.kit.uploads import Upload
from server.placements import ingest
from server.placements import service as placements
from server.queues import service as queues
from server.queues.schemas import CallCreate
from server.sample_files import new_business_csv
from server.settlements.remittance import service as remittance
from server.settlements.schemas import (
    InstallmentIn,
    OfferCreate,
    OfferDecision,
    OfferWithdraw,
    PaymentCreate,
    ReversalCreate,
)
from server.settlements.services import offers, payments, reversals

DEMO_PASSWORD = "demo-password-2026"
AUTHORITY = {
    "collector": {"min_percent": 80, "max_installments": 6, "max_months": 6,
                  "min_installment_cents": 2500},
    "supervisor": {"min_percent": 65, "max_installments": 12, "max_months": 12,
                   "min_installment_cents": 2500},
}  # fmt: skip
DEMO_CLIENTS = (
    ("Northwind Medical Group", "monthly", "net", {"primary": 2500, "secondary": 3500}),
    ("Acme Card Services", "weekly", "gross", {"primary": 3000, "legal": 4000}),
    ("Metro Utilities", "daily", "net", {"primary": 2200}),
)
CALL_OUTCOMES = (
    "no_answer", "no_answer", "left_message", "busy", "right_party_contact", "promise_to_pay",
    "callback", "refused", "third_party",
)  # fmt: skip


# How long ago the demo's main files were placed: every call, payment and offer of their
# history falls in the days since (the earliest, an offer, 45 days ago).
HISTORY_DAYS = 50
CALL_DAYS_BACK = 40
PAYMENT_DAYS_BACK = 45
# The broken plan and the expired lump sum were offered this long ago: the plan's second
# instalment fell due 8 days ago (past the 5-day grace), the lump sum's 30 days ran out.
LAPSED_OFFER_DAYS_BACK = 45

# Idempotency-Keys are refused when they hold a card-number-like run of digits (a UUID's
# groups joined by dashes can pass Luhn): the demo's keys spell the digits as letters.
_NO_DIGITS = str.maketrans("0123456789", "ghijklmnop")


def _demo_key(name: str, entity_id: UUID) -> str:
    """A key for the demo's payment about `entity_id`: the same on every run, no digits."""
    return f"demo-{name}-{entity_id.hex.translate(_NO_DIGITS)}"


async def _ensure_user(
    role: str, username: str, client_id: UUID | None = None
) -> tuple[UUID, bool]:
    """The demo user's id, and whether this run made it."""
    try:
        await auth_service.create_user_unchecked(
            username=username, password=DEMO_PASSWORD, role=role,
            client_id=str(client_id) if client_id else None,
        )  # fmt: skip
        created = True
    except UsernameTaken:
        created = False
    return await auth_service.user_id_of(username), created


async def _ensure_client(
    name: str, cycle: str, method: str, rates: dict[str, int]
) -> tuple[UUID, bool]:
    existing = await clients.client_id_named(name)
    if existing is not None:
        return existing, False
    created = await clients.create_client(
        SYSTEM,
        ClientCreate(
            name=name, fee_rates_bps=rates, remittance_cycle=cycle,  # type: ignore[arg-type]
            remittance_method=method, clearing_days={}, authority=AUTHORITY,  # type: ignore[arg-type]
        ),
    )  # fmt: skip
    return created.client_id, True


async def _place(client_id: UUID, rows: int, seed: int) -> bool:
    """Place a generated file, as placed HISTORY_DAYS ago: its accounts' calls, payments
    and offers lie in the weeks since, never before they reached the agency. False when
    the same file was placed by an earlier run."""

    async def body() -> Any:
        data = new_business_csv(rows, seed=seed, prefix=f"D{seed}-")
        for start in range(0, len(data), 1 << 20):
            yield data[start : start + (1 << 20)]

    placement, created = await placements.receive_placement(
        SYSTEM, client_id=client_id, kind=FileKind.NEW_BUSINESS, tier=Tier.PRIMARY,
        upload=Upload(body=body(), file_name=f"new-business-{seed}.csv"),
    )  # fmt: skip
    if placement.status in ("received", "validating"):
        await ingest.load_placement(placement.placement_id)
    if created:
        placed_on = clock.agency_today() - timedelta(days=HISTORY_DAYS)
        placed_at = datetime.combine(placed_on, time(9), clock.agency_zone())
        await placements.record_placed_at(SYSTEM, placement.placement_id, placed_at)
    return created


async def _history(collector: Principal, client_id: UUID, rng: random.Random) -> None:
    """A few weeks of calls and payments on a sample of the client's accounts."""
    page = await accounts.list_accounts(collector, page_request(200, None), client_id=client_id)
    zone = clock.agency_zone()
    today = clock.now().astimezone(zone).date()
    for number, account in enumerate(page.items):
        detail = await accounts.get_account(collector, account.account_id)
        phones = [p.e164 for p in detail.debtor.phones if p.status == "valid"]
        if not phones:
            continue
        for _ in range(rng.randint(1, 4)):
            day = today - timedelta(days=rng.randint(1, CALL_DAYS_BACK))
            moment = datetime(
                day.year, day.month, day.day, rng.randint(9, 19), rng.randint(0, 59), tzinfo=zone
            )
            outcome = rng.choice(CALL_OUTCOMES)
            promise = outcome == "promise_to_pay"
            call = CallCreate(
                phone=phones[0], direction="outbound", started_at=moment,  # type: ignore[arg-type]
                duration_s=rng.randint(5, 600), outcome=outcome,  # type: ignore[arg-type]
                notes="Spoke about options" if outcome == "right_party_contact" else None,
                callback_at=moment + timedelta(days=2) if outcome == "callback" else None,
                promise_amount_cents=rng.randint(50, 300) * 100 if promise else None,
                promise_due_on=day + timedelta(days=7) if promise else None,
            )  # fmt: skip
            with contextlib.suppress(DomainError):
                await queues.record_call(collector, account.account_id, call)
        if number % 5 == 0:
            await _payments(collector, account.account_id, detail.balance_cents, today, rng, number)
        elif number % 7 == 0:
            await _offer(collector, account.account_id, detail.balance_cents, today, number)


async def _payments(
    actor: Principal, account_id: UUID, balance: int, today: date, rng: random.Random, number: int
) -> None:
    received = today - timedelta(days=rng.randint(3, PAYMENT_DAYS_BACK))
    amount = min(balance, rng.randint(25, 400) * 100) if number % 15 else balance
    with contextlib.suppress(DomainError):
        result = await payments.post_payment(
            actor, account_id, _demo_key("payment", account_id),
            PaymentCreate(amount_cents=amount, method=rng.choice(["ach", "card", "check"]),  # type: ignore[arg-type]
                          paid_to="agency", received_at=received.isoformat()),  # type: ignore[arg-type]
        )  # fmt: skip
        if number % 25 == 0:
            await reversals.reverse_payment(
                SYSTEM, result.payment.payment_id,
                ReversalCreate(reason="NSF: returned by the bank",
                               returned_at=clock.now() - timedelta(days=1)),
            )  # fmt: skip


async def _offer(
    collector: Principal, account_id: UUID, balance: int, today: date, number: int
) -> None:
    """Offers across the bands: inside the collector's (accepted at once), a supervisor's
    (some accepted, some waiting), the client's (waiting for the client's approval)."""
    percent = (90, 70, 50, 85)[number % 4]
    if number % 3 == 0:
        count = 4 if percent >= 80 else 10
        share = balance * percent // 100 // count
        installments = [
            InstallmentIn(due_date=today + timedelta(days=30 * (i + 1)), amount_cents=share)
            for i in range(count)
        ]
        offer = OfferCreate(kind="plan", amount_cents=share * count, installments=installments)  # type: ignore[arg-type]
    else:
        offer = OfferCreate(kind="lump_sum", amount_cents=balance * percent // 100)  # type: ignore[arg-type]
    with contextlib.suppress(DomainError):
        made = await offers.create_offer(collector, account_id, offer)
        if made.status == "accepted" and made.kind == "lump_sum" and number % 2:
            # Paid in full: the offer is fulfilled and the account settled.
            await payments.post_payment(
                collector, account_id, _demo_key("offer", made.offer_id),
                PaymentCreate(amount_cents=made.amount_cents, method="ach", paid_to="agency",  # type: ignore[arg-type]
                              received_at=today.isoformat(), offer_id=made.offer_id),
            )  # fmt: skip
        if made.status == "pending_client" and (number // 7) % 2:
            await offers.withdraw_offer(
                collector, made.offer_id, OfferWithdraw(reason="the consumer changed their mind")
            )
        # Of the supervisor's offers, a third wait, a third are accepted, a third rejected.
        turn = (number // 7) % 3
        if made.status == "pending_supervisor" and turn:
            decision = "accept" if turn == 1 else "reject"
            await offers.decide_offer(
                SYSTEM, made.offer_id,
                OfferDecision(decision=decision, reason="reviewed by the supervisor"),  # type: ignore[arg-type]
            )  # fmt: skip


# Of the accounts it may use, the demo's every-state offers take those owing at least this:
# a plan of 90 % in three instalments then stays above the smallest instalment a collector
# may agree to (2500 cents), inside the collector's band.
_OFFER_MIN_BALANCE = 10_000


async def _offers_in_every_state(collector: Principal, client_id: UUID) -> None:
    """An offer in every state, each on an account of its own with no offer yet: two
    waiting for the client, one for a supervisor, accepted, rejected, withdrawn, fulfilled,
    and — recorded through the service as made weeks ago, then judged by the nightly
    break/expire use case as of today — a plan broken after its first instalment and a
    lump sum that expired unpaid."""
    today = clock.agency_today()
    page = await accounts.list_accounts(
        collector, page_request(500, None), client_id=client_id, status=AccountStatus.ACTIVE
    )
    candidates = iter(a for a in page.items if a.balance_cents >= _OFFER_MIN_BALANCE)

    async def offer(percent: int, offered_on: date | None = None, plan: bool = False) -> Any:
        for account in candidates:
            amount = account.balance_cents * percent // 100
            data = OfferCreate(kind="lump_sum", amount_cents=amount)  # type: ignore[arg-type]
            if plan and offered_on is not None:
                share = amount // 3
                data = OfferCreate(
                    kind="plan", amount_cents=share * 3,  # type: ignore[arg-type]
                    installments=[InstallmentIn(due_date=offered_on + timedelta(days=7 + 30 * i),
                                                amount_cents=share) for i in range(3)],
                )  # fmt: skip
            with contextlib.suppress(DomainError):
                return await offers.create_offer(
                    collector, account.account_id, data, offered_on=offered_on
                )
        return None

    async def pay(made: Any, cents: int, on: date) -> None:
        await payments.post_payment(
            collector, made.account_id, _demo_key("offer", made.offer_id),
            PaymentCreate(amount_cents=cents, method="ach", paid_to="agency",  # type: ignore[arg-type]
                          received_at=on.isoformat(), offer_id=made.offer_id),
        )  # fmt: skip

    for _ in range(2):
        await offer(50)  # beyond the supervisor's band: waits for the client
    await offer(70)  # waits for a supervisor
    await offer(90)  # accepted at once, due in a month
    if rejected := await offer(70):
        await offers.decide_offer(
            SYSTEM, rejected.offer_id,
            OfferDecision(decision="reject", reason="too low for this balance"),  # type: ignore[arg-type]
        )  # fmt: skip
    if withdrawn := await offer(50):
        await offers.withdraw_offer(
            collector, withdrawn.offer_id, OfferWithdraw(reason="the consumer found the money")
        )
    if fulfilled := await offer(90):
        await pay(fulfilled, fulfilled.amount_cents, today)
    if broken := await offer(90, today - timedelta(days=LAPSED_OFFER_DAYS_BACK), plan=True):
        first = broken.installments[0]
        await pay(broken, first.amount_cents, first.due_date)
    # A lump sum never paid: expires.
    await offer(90, today - timedelta(days=LAPSED_OFFER_DAYS_BACK))
    await offers.close_lapsed_offers(today)


@dataclass(frozen=True)
class SeedResult:
    logins: list[tuple[str, str]]  # (role, username); every password is DEMO_PASSWORD
    # Whether this run added anything: a second run finds everything made and adds nothing.
    created: bool


async def seed(settings: Settings, accounts_per_client: int) -> SeedResult:
    rng = random.Random(2026)  # noqa: S311 - demo data, repeatable
    logins: list[tuple[str, str]] = []
    made: list[bool] = []
    for role, username in (("admin", "demo.admin"), ("supervisor", "demo.supervisor")):
        made.append((await _ensure_user(role, username))[1])
        logins.append((role, username))
    client_ids = []
    newly_placed = []
    for index, (name, cycle, method, rates) in enumerate(DEMO_CLIENTS, start=1):
        client_id, created = await _ensure_client(name, cycle, method, rates)
        client_ids.append(client_id)
        made.append(created)
        made.append((await _ensure_user("client", f"demo.client{index}", client_id))[1])
        logins.append(("client", f"demo.client{index}"))
        newly_placed.append(await _place(client_id, accounts_per_client, seed=index))
    for index in range(1, 4):
        username = f"demo.collector{index}"
        user_id, created = await _ensure_user("collector", username)
        made.append(created)
        if created:
            portfolio = [client_ids[index - 1], client_ids[index % len(client_ids)]]
            await auth_service.update_collector(
                SYSTEM, user_id, CollectorUpdate(client_ids=portfolio)
            )
        logins.append(("collector", username))
        if newly_placed[index - 1]:
            collector = await auth_service.principal_for_user(user_id)
            await _history(collector, client_ids[index - 1], rng)
            await _offers_in_every_state(collector, client_ids[index - 1])
    for index, client_id in enumerate(client_ids, start=1):
        made.append(await _portal_history(client_id, index, rng))
    created = any(made) or any(newly_placed)
    if created:
        # Every demo collector starts with a filled queue, and every client with the
        # statements of the periods its cleared payments fell in.
        await dispatch.dispatch(SYSTEM)
        await remittance.run_remittance(SYSTEM, None)
    return SeedResult(logins=logins, created=created)


# --- what the client portal shows: vintages with months of collections, a file with errors --

# Months back of each older placement, and the share of its balance collected in each month
# since, in basis points: steep at first and flattening, as agencies' curves do.
VINTAGE_MONTHS = (6, 5, 4, 3, 2, 1)
VINTAGE_ROWS = 60
MONTHLY_BPS = (450, 380, 300, 240, 190, 150, 120)


async def _place_file(client_id: UUID, data: bytes, file_name: str) -> tuple[UUID, bool]:
    async def body() -> Any:
        yield data

    placement, created = await placements.receive_placement(
        SYSTEM, client_id=client_id, kind=FileKind.NEW_BUSINESS, tier=Tier.PRIMARY,
        upload=Upload(body=body(), file_name=file_name),
    )  # fmt: skip
    if placement.status in ("received", "validating"):
        await ingest.load_placement(placement.placement_id)
    return placement.placement_id, created


def _with_bad_rows(data: bytes) -> bytes:
    """A file as clients really send them: a few rows with a balance that is not money, a
    missing name, a date that does not exist."""
    lines = data.decode().split("\r\n")
    header = lines[0].split(",")
    faults = {
        3: ("principal", "n/a"),
        7: ("last_name", ""),
        11: ("delinquency_date", "2024-02-30"),
    }
    for line, (column, value) in faults.items():
        cells = next(csv.reader([lines[line]]))
        cells[header.index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(cells)
        lines[line] = out.getvalue()
    return "\r\n".join(lines).encode()


async def _portal_history(client_id: UUID, index: int, rng: random.Random) -> bool:
    """Placements of the last six months, each paid down month by month, so the dashboard's
    liquidation curve has its shape; and this week's file with rows in error. False when
    an earlier run placed them all."""
    zone = clock.agency_zone()
    now = clock.now().astimezone(zone)
    placed_any = False
    for months_back in VINTAGE_MONTHS:
        seed = 1000 * index + months_back
        data = new_business_csv(VINTAGE_ROWS, seed=seed, prefix=f"V{seed}-")
        placed_on = _months_before(now.date(), months_back).replace(day=3)
        placement_id, created = await _place_file(
            client_id, data, f"new-business-{placed_on:%Y-%m}.csv"
        )
        if not created:
            continue
        placed_any = True
        placed_at = datetime.combine(placed_on, time(10), zone)
        await placements.record_placed_at(SYSTEM, placement_id, placed_at)
        await _collect_vintage(client_id, f"V{seed}-", placed_on, now, rng)
    bad = _with_bad_rows(new_business_csv(25, seed=500 + index, prefix=f"W{index}-"))
    _, created = await _place_file(client_id, bad, "weekly-new-business.csv")
    return placed_any or created


def _letters(account_id: UUID) -> str:
    # An Idempotency-Key holding a long run of digits could pass for a card number.
    return account_id.hex.translate(_NO_DIGITS)


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    return date(total // 12, total % 12 + 1, 1)


async def _collect_vintage(
    client_id: UUID, prefix: str, placed_on: date, now: datetime, rng: random.Random
) -> None:
    """Payments month by month since `placed_on` on the accounts numbered `prefix…`, each
    month adding about MONTHLY_BPS of the balance placed; one of them bounces."""
    page = await accounts.list_accounts(
        SYSTEM, page_request(2 * VINTAGE_ROWS, None), client_id=client_id, query=prefix
    )
    balances = {a.account_id: a.balance_cents for a in page.items}
    placed = sum(balances.values())
    today = now.date()
    # Vintages differ: some files are better paper than others.
    pace = rng.randint(70, 135)
    for since, share_bps in enumerate(MONTHLY_BPS):
        start = _months_before(placed_on, -since)
        if start > today:
            break
        first = max(start, placed_on + timedelta(days=4))
        last = min(_months_before(start, -1) - timedelta(days=1), today)
        target = placed * share_bps * pace * rng.randint(85, 115) // 100_000_000
        for attempt in range(40):
            owing = [a for a, b in balances.items() if b > 0]
            if target <= 0 or not owing or first > last:
                break
            account_id = rng.choice(owing)
            amount = min(balances[account_id], target, rng.randint(50, 900) * 100)
            received = first + timedelta(days=rng.randrange((last - first).days + 1))
            result = await payments.post_payment(
                SYSTEM, account_id, f"demo-vintage-{_letters(account_id)}-m{since}a{attempt}",
                PaymentCreate(amount_cents=amount, method=rng.choice(["ach", "card", "check"]),  # type: ignore[arg-type]
                              paid_to="agency", received_at=received.isoformat()),  # type: ignore[arg-type]
            )  # fmt: skip
            balances[account_id] -= amount
            target -= amount
            if since == 1 and attempt == 7:
                returned = datetime.combine(received + timedelta(days=6), time(12), now.tzinfo)
                bounced = ReversalCreate(reason="NSF: returned", returned_at=min(returned, now))
                await reversals.reverse_payment(SYSTEM, result.payment.payment_id, bounced)


# --- what `agency seed-demo` says at the end: where to go, with which login, to try what --

# Each door: its name, its path, a note, and which login to try what with there.
_DOORS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("client portal", "/portal/", "", (
        ("demo.client1", f"{DEMO_CLIENTS[0][0]}: Overview (six months of collections),"),
        ("", "Approvals (offers to decide), Placements (a file with row errors)"),
        ("demo.client2", f"the same for {DEMO_CLIENTS[1][0]}"),
        ("demo.client3", f"the same for {DEMO_CLIENTS[2][0]}"),
    )),
    ("workspace", "/workspace/", "", (
        ("demo.collector1", "Next (n), call (c), offer (o), payment (p), preferences, release (r)"),
        ("demo.collector2", "the same, on another portfolio"),
        ("demo.collector3", "the same, on another portfolio"),
        ("demo.supervisor", "Offers to decide, Findings, Collectors (queues, the dispatcher)"),
        ("demo.admin", "Clients, Users, Statements (API tokens, remittance)"),
    )),
    ("API docs", "/schema", "offers, payments, the rest: POST /api/v1/auth/login, then Authorize", (
        ("demo.supervisor", "GET /api/v1/offers?status=pending_supervisor, then"),
        ("", "POST /api/v1/offers/{id}/decision"),
        ("demo.admin", "POST /api/v1/dispatch/run, POST /api/v1/remittance/run,"),
        ("", "GET /api/v1/violations"),
    )),
)  # fmt: skip


def report(result: SeedResult, base_url: str) -> str:
    """`agency seed-demo`'s closing words: what happened, where to go, with which login."""
    lines = [
        "Demo data made: every role's users; three clients' accounts, calls, payments, offers"
        " and statements."
        if result.created
        else "The demo data is already here: nothing changed.",
        f"Open {base_url}/ (while `agency run` runs). Every password: {DEMO_PASSWORD}",
    ]
    width = max(len(login) for *_, logins in _DOORS for login, _ in logins)
    for door, path, note, logins in _DOORS:
        lines.append(f"  {door:<14} {base_url}{path}")
        lines.extend(f"  {'':<14} {part}" for part in note.splitlines())
        lines.extend(f"    {login:<{width}}  {what}" for login, what in logins)
    return "\n".join(lines)
