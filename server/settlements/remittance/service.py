"""Remittance: the batch that issues statements, and reading them (DESIGN.md "Remittance").

Exactly once, whatever runs at the same time or crashed before:
- each line's primary key is its movement (payment or reversal), so nothing is ever on
  two statements;
- each client's statements and their lines commit in one transaction (with those of a
  group of other clients), under an advisory lock on each client, so a second run waits
  and then finds the periods issued;
- a statement is written once, its totals from its lines, and never changes (the tables
  are append-only).

Which period a movement belongs to (see remittance_repository._ISSUE_LINES):
- a payment, the period holding the local date it cleared; a reversal, the period holding
  the local date the bank returned it (`returned_at`);
- unless that period is already issued — a movement recorded after its period's statement
  (a back-dated payment, a reversal dated in the past, one committed while the batch ran)
  — then the client's next period: an issued statement never changes, so it lands on the
  next statement;
- a payment reversed before its own period ended is withdrawn: neither appears.
A late run (a missed night) issues the same statements as runs on time, since it assigns
by those dates and not by when it runs.

Carry forward: a statement whose total (net, or gross for a gross client, plus what was
carried in) is negative remits nothing and carries that total to the client's next
statement (`carried_in_cents`), shown as due from the client; a period with no movement
issues no statement, so the carry waits for the next one that does.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from server.audit import service as audit
from server.auth.principal import Principal
from server.clients import service as clients
from server.kit import clock, db
from server.kit.client_notices import tell_client
from server.kit.clock import start_of_day
from server.kit.errors import InvalidInput, NotFound
from server.kit.logging import get_logger
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page
from server.kit.settings import get_settings
from server.settlements.money import LineKind, RemittanceMethod, StatementLine, statement_totals
from server.settlements.remittance import repository as repository
from server.settlements.remittance.periods import RemittanceCycle, period_containing
from server.settlements.remittance.schemas import (
    PayoutRead,
    RemittanceRunRead,
    RemittanceRunSummary,
    RemittedRead,
    StatementLineRead,
    StatementRead,
    StatementTotalsRead,
)

log = get_logger("server.settlements.remittance.service")


async def issue_for_client(
    client_id: UUID, as_of: datetime, *, actor: Principal | None = None
) -> list[UUID]:
    """Issue every statement of the client due by `as_of`; the ids of the statements
    issued (none when another run already issued them)."""
    return await issue_for_clients([client_id], as_of, actor=actor)


async def issue_for_clients(
    client_ids: list[UUID], as_of: datetime, *, actor: Principal | None = None
) -> list[UUID]:
    """Issue every statement of these clients due by `as_of`, in one transaction."""
    agency_tz = get_settings().agency_timezone
    settings = await clients.clients_settings(client_ids)
    rows: list[dict[str, Any]] = []
    async with db.transaction():
        await repository.lock_clients(client_ids)
        lasts = await repository.last_statements(client_ids)
        sums = await repository.stage_lines(
            [
                (c, lasts[c]["period_end_date"] if c in lasts else None,
                 settings[c]["remittance_cycle"])
                for c in client_ids
            ],
            through=clock.local_date(as_of, agency_tz),
            agency_tz=agency_tz,
            as_of=as_of,
        )  # fmt: skip
        by_client: dict[UUID, list[asyncpg.Record]] = {}
        for bucket in sums:
            by_client.setdefault(bucket["client_id"], []).append(bucket)
        for client_id, buckets in by_client.items():
            rows.extend(
                _statements(client_id, settings[client_id], lasts.get(client_id), buckets,
                            as_of, agency_tz)
            )  # fmt: skip
        if not rows:
            return []
        await repository.insert_statements(rows)
        await repository.add_staged_lines()
        issued = Counter(row["client_id"] for row in rows)
        for client_id, count in sorted(issued.items()):
            await tell_client(client_id, "statement_issued", count, "/portal/statements")
        if actor is not None:
            for row in rows:
                await audit.record(
                    actor,
                    "settlements.statement.issued",
                    "statement",
                    row["id"],
                    client_id=row["client_id"],
                    after={"period_end": row["period_end"].isoformat(),
                           "remit_cents": row["remit_cents"],
                           "carried_out_cents": row["carried_out_cents"]},
                )  # fmt: skip
    log.info(
        "settlements.remittance.issued",
        clients=len(by_client),
        statements=len(rows),
        lines=sum(row["line_count"] for row in rows),
        remit_cents=sum(row["remit_cents"] for row in rows),
    )
    return [row["id"] for row in rows]


def _statements(
    client_id: UUID,
    settings: dict[str, Any],
    last: asyncpg.Record | None,
    buckets: list[asyncpg.Record],
    as_of: datetime,
    agency_tz: str,
) -> list[dict[str, Any]]:
    """The client's new statements from the sums of their lines, in period order, each
    carrying into the next."""
    cycle = RemittanceCycle(settings["remittance_cycle"])
    method = RemittanceMethod(settings["remittance_method"])
    carried = 0 if last is None else int(last["carried_out_cents"])
    previous = None if last is None else last["id"]
    rows: list[dict[str, Any]] = []
    for bucket in buckets:
        # The sums of the lines as one line: statement_totals is the reference itself.
        gross, fees = int(bucket["gross_cents"]), int(bucket["fees_cents"])
        as_line = StatementLine(
            LineKind.AGENCY_PAYMENT, int(bucket["collected_cents"]), gross, fees, gross - fees
        )
        totals = statement_totals([as_line], method, carried)
        end = start_of_day(bucket["end_date"], agency_tz)
        period = period_containing(cycle, agency_tz, end - timedelta(microseconds=1))
        rows.append(
            {
                "id": bucket["statement_id"],
                "client_id": client_id,
                "cycle": cycle.value,
                "method": method.value,
                # After a change of cycle the first period may begin before the last
                # statement's end; it holds only what no statement holds.
                "period_start": period.start,
                "period_end": end,
                "period_end_date": bucket["end_date"],
                "line_count": int(bucket["line_count"]),
                "collected_cents": totals.collected_cents,
                "gross_cents": totals.gross_cents,
                "fees_cents": totals.fees_cents,
                "net_cents": totals.net_cents,
                "carried_in_cents": totals.carried_in_cents,
                "remit_cents": totals.remit_cents,
                "carried_out_cents": totals.carried_out_cents,
                "invoiced_fees_cents": totals.invoiced_fees_cents,
                "previous_statement_id": previous,
                "as_of": as_of,
            }
        )
        carried = totals.carried_out_cents
        previous = bucket["statement_id"]
    return rows


def _check_as_of(as_of: datetime | None, now: datetime) -> datetime:
    if as_of is None:
        return now
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InvalidInput.field("as_of", "must have a time zone offset")
    if as_of > now:
        raise InvalidInput.field("as_of", "must not be in the future", code="as_of_in_future")
    clock.refuse_outside("as_of", as_of, now, "")  # the lower bound; the upper is above
    return as_of.astimezone(UTC)


async def run_batch(
    as_of: datetime | None = None, *, actor: Principal | None = None
) -> tuple[datetime, list[UUID]]:
    """Issue every client's due statements as of `as_of` (now by default); clients a group
    at a time, each group in its own transaction, so a crash part-way leaves whole clients
    done and the rest to the next run."""
    started = clock.now()
    moment = _check_as_of(as_of, started)
    issued: list[UUID] = []
    clients = await repository.clients_with_payments()
    # Clients issued in one transaction and one pass of the lines' SQL (a setting): each
    # pass has a fixed cost (planning, locks, round trips) a client of a few hundred
    # movements would otherwise pay alone; a crash loses at most one group's work.
    size = get_settings().remittance_clients_per_transaction
    for first in range(0, len(clients), size):
        group = clients[first : first + size]
        issued.extend(await issue_for_clients(group, moment, actor=actor))
    await repository.record_run(moment, started, len(issued))
    log.info("settlements.remittance.run", as_of=moment.isoformat(), issued=len(issued))
    return moment, issued


async def run_batch_alone() -> list[UUID] | None:
    """The batch as the worker runs it: under the batch lock, which tells the sweep a run
    is alive; None when another run holds it (that run issues everything due)."""
    async with repository.batch_lock() as held:
        if not held:
            return None
        _, issued = await run_batch()
        return issued


async def batch_running() -> bool:
    return await repository.batch_running()


async def run_remittance(actor: Principal, as_of: datetime | None) -> RemittanceRunRead:
    moment, issued = await run_batch(as_of, actor=actor)
    rows = await repository.statements_by_id(issued)
    return RemittanceRunRead(as_of=moment, statements=[_read(row) for row in rows])


async def list_runs(actor: Principal, page: PageRequest) -> Page[RemittanceRunSummary]:
    """The batch's finished runs, nightly or asked for, the latest first."""
    rows = await repository.list_runs(page.after, page.fetch_limit)
    items = [read_as(RemittanceRunSummary, r, run_id=r["id"]) for r in rows]
    return make_page(items, page, key=lambda r: (r.finished_at, r.run_id))


async def run_due_today() -> bool:
    """Whether a run as of today's first instant (agency zone) has finished."""
    return await repository.run_finished_since(
        start_of_day(clock.agency_today(), get_settings().agency_timezone)
    )


# --- reading statements ---------------------------------------------------------------------


def _read(row: asyncpg.Record, lines: list[asyncpg.Record] | None = None) -> StatementRead:
    return read_as(
        StatementRead,
        row,
        statement_id=row["id"],
        totals=read_as(StatementTotalsRead, row),
        lines=None if lines is None else [read_as(StatementLineRead, line) for line in lines],
    )


async def _visible_statement(actor: Principal, statement_id: UUID) -> asyncpg.Record:
    row = await repository.statement(statement_id)
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound("no such statement")
    return row


def payout_read(row: asyncpg.Record) -> PayoutRead:
    return read_as(PayoutRead, row, payout_id=row["id"])


async def get_statement(actor: Principal, statement_id: UUID) -> StatementRead:
    row = await _visible_statement(actor, statement_id)
    statement = _read(row, await repository.statement_lines(statement_id))
    paid = await repository.payout_of(statement_id)
    return (
        statement if paid is None else msgspec.structs.replace(statement, payout=payout_read(paid))
    )


async def list_statements(
    actor: Principal, page: PageRequest, client_id: UUID | None
) -> Page[StatementRead]:
    if client_id is not None and not actor.may_see_client(client_id):
        # Someone else's client is an empty list, as if it had no statements.
        return Page(items=[], next_cursor=None)
    rows = await repository.list_statements(
        actor.visible_clients(), client_id, page.after, page.fetch_limit
    )
    paid = {
        p["statement_id"]: payout_read(p)
        for p in await repository.payouts_of([r["id"] for r in rows])
    }
    items = [msgspec.structs.replace(_read(r), payout=paid.get(r["id"])) for r in rows]
    return make_page(items, page, key=lambda s: (s.period_end, s.statement_id))


async def remitted(actor: Principal, client_id: UUID) -> RemittedRead:
    await clients.require_client(actor, client_id)
    row = await repository.client_remitted(client_id)
    return read_as(
        RemittedRead,
        row,
        remit_cents=int(row["remit_cents"]),
        invoiced_fees_cents=int(row["invoiced_fees_cents"]),
    )
