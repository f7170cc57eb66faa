"""Remittance's tables, as the SQL migration settlements_2026_11_26t00_00_00 created them.

Remittance reads and writes them only with bound, set-based SQL (remittance/repository.py),
never through the ORM: these classes tell Piccolo's app what exists, so that its migration
snapshot knows the tables. What Piccolo cannot say stays in the SQL alone: the CHECK
constraints, the unique period per client, the composite primary key of a line, the
deferred foreign key from a line to its statement, the indexes, the append-only triggers.
A NOT NULL column without a default in SQL is declared without one here, as in
settlements/tables.py (Piccolo always writes a default; the database has none).
"""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    BigInt,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    OnUpdate,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.clients.tables import Client


class Statement(Table, tablename="statement"):
    """A client's remittance statement for one period: its lines' totals, what is remitted
    and what is carried. Append-only."""

    id = UUID(primary_key=True)
    client_id = ForeignKey(
        references=Client, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action
    )
    # 'daily', 'weekly' or 'monthly'; 'net' or 'gross'.
    cycle = Varchar(length=8)
    method = Varchar(length=8)
    period_start = Timestamptz()
    period_end = Timestamptz()
    # The period's last local date + 1: what the lines were assigned by.
    period_end_date = Date()
    line_count = Integer()
    collected_cents = BigInt()
    gross_cents = BigInt()
    fees_cents = BigInt()
    net_cents = BigInt()
    carried_in_cents = BigInt()
    remit_cents = BigInt()
    carried_out_cents = BigInt()
    invoiced_fees_cents = BigInt()
    previous_statement_id: ForeignKey[Statement] = ForeignKey(
        references="self",
        null=True,
        default=None,
        on_delete=OnDelete.no_action,
        on_update=OnUpdate.no_action,
    )
    as_of = Timestamptz()
    created_at = Timestamptz(default=TimestamptzNow())


class StatementLine(Table, tablename="statement_line"):
    """One movement (a payment cleared, a reversal returned) on one statement, exactly once.

    The SQL's primary key is (movement_kind, movement_id); Piccolo takes one column, and
    the movement's id alone is the one that is unique (a payment's and a reversal's ids are
    uuids of two tables, never equal)."""

    movement_kind = Varchar(length=8)
    movement_id = UUID(primary_key=True)
    # Deferred in SQL: a client's lines are inserted before its statements.
    statement_id = ForeignKey(
        references=Statement,
        null=False,
        on_delete=OnDelete.no_action,
        on_update=OnUpdate.no_action,
    )
    # 'agency_payment', 'direct_payment' or 'reversal'.
    kind = Varchar(length=16)
    payment_id = UUID()
    account_id = UUID()
    # The local date the payment cleared, or the reversal was returned.
    moved_on = Date()
    fee_rate_bps = Integer()
    collected_cents = BigInt()
    gross_cents = BigInt()
    fee_cents = BigInt()
    net_cents = BigInt()


class RemittanceRun(Table, tablename="remittance_run"):
    """A finished batch run; the sweep re-enqueues the run when none finished today."""

    id = UUID(primary_key=True)
    as_of = Timestamptz()
    statements_issued = Integer()
    started_at = Timestamptz()
    finished_at = Timestamptz(default=TimestamptzNow())


class StatementPayout(Table, tablename="statement_payout"):
    """How and when the agency paid a statement's remittance out: one per statement, never
    changed (the statement itself stays as issued). Append-only."""

    id = UUID(primary_key=True)
    statement_id = ForeignKey(
        references=Statement, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action
    )
    client_id = UUID()
    # 'ach', 'check' or 'wire'.
    method = Varchar(length=8)
    reference = Varchar(length=128)
    paid_on = Date()
    # The statement's remittance, copied when paid: the advice states what was sent.
    amount_cents = BigInt()
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
