from piccolo.columns import UUID, Array, BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Payment(Table, tablename="payment"):
    """Money received on an account, to the agency or directly to the client. Append-only
    (the application role may only INSERT and SELECT it): a bounced payment is undone by a
    PaymentReversal row, never by editing this one."""

    id = UUID(primary_key=True)
    client_id = UUID()
    account_id = UUID()
    amount_cents = BigInt()
    method = Varchar(length=8)
    paid_to = Varchar(length=8)
    received_on = Date()
    # Only when the caller gave a time, not just a date.
    received_at = Timestamptz(null=True, default=None)
    cleared_on = Date()
    processor_reference = Varchar(length=128, null=True, default=None)
    notes = Text(null=True, default=None)
    offer_id = UUID(null=True, default=None)
    # The account's rate, locked at placement: remittance charges the fee at this rate.
    fee_rate_bps = Integer()
    # applied_cents + credit_cents = amount_cents; the credit is what exceeded the balance
    # and is due back to the debtor.
    applied_cents = BigInt()
    credit_cents = BigInt()
    balance_before_cents = BigInt()
    balance_after_cents = BigInt()
    # The account's status once the payment was applied (paid_in_full when it paid it off).
    account_status_after = Varchar(length=24)
    # "recalled" or "closed" when the payment came in after the account left collection:
    # recorded all the same and remitted at the account's locked rate, flagged for the
    # client's statement; null for a payment on an account still placed with the agency.
    left_collection = Varchar(length=16, null=True, default=None)
    idempotency_scope = Varchar(length=64, null=True, default=None)
    idempotency_key = Varchar(length=255, null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class PaymentReversal(Table, tablename="payment_reversal"):
    """A payment the bank took back (NSF, chargeback), dated when it was returned. At most
    one per payment; append-only like the payment."""

    id = UUID(primary_key=True)
    client_id = UUID()
    account_id = UUID()
    payment_id = UUID()
    amount_cents = BigInt()
    reason = Text()
    returned_at = Timestamptz()
    # What the reversal took back from the account's outstanding credit rather than adding
    # to its balance: amount_cents = credit_removed_cents + (balance_after - balance_before).
    credit_removed_cents = BigInt()
    balance_before_cents = BigInt()
    balance_after_cents = BigInt()
    # The account's status once the payment was taken back (active when it reopened it).
    account_status_after = Varchar(length=24)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class IdempotencyKey(Table, tablename="idempotency_key"):
    """The first answer to a request made with an Idempotency-Key, kept at least 30 days
    (purged by the `settlements.purge_idempotency_keys` job). Unique per scope: the
    caller's client, or `agency` for the agency's own people."""

    id = UUID(primary_key=True)
    scope = Varchar(length=64)
    key = Varchar(length=255)
    # The client whose data the stored answer holds.
    client_id = UUID()
    operation = Varchar(length=64)
    request_hash = Varchar(length=64)
    status_code = Integer(null=True, default=None)
    response_body = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Offer(Table, tablename="offer"):
    """An arrangement the debtor agreed to on a call: a lump sum, or a plan whose
    instalments are OfferInstallment rows. The terms never change once recorded; the
    status moves pending → accepted | rejected | withdrawn, and accepted → fulfilled |
    broken | expired, each move stamped here and written to the audit log."""

    id = UUID(primary_key=True)
    client_id = UUID()
    account_id = UUID()
    kind = Varchar(length=16)
    amount_cents = BigInt()
    # The balance the band was judged against, and the agency-local date it was offered.
    balance_cents = BigInt()
    offered_on = Date()
    band = Varchar(length=16)
    # Why the offer is beyond the collector's band, one sentence per limit it passes, as
    # judged when it was made ([] inside it; null: made before the reasons were kept).
    band_reasons = Array(base_column=Text(), null=True, default=None)
    status = Varchar(length=24)
    # The collector's reason, shown to whoever decides it (null: none given).
    reason = Text(null=True, default=None)
    created_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    # Who accepted or rejected a pending offer (null when the collector's band accepted it).
    decided_by = UUID(null=True, default=None)
    decided_role = Varchar(length=16, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    # A lump sum is due within LUMP_SUM_DAYS of its acceptance; a plan by its schedule.
    due_on = Date(null=True, default=None)
    # The move out of accepted (or a withdrawal): when and why.
    closed_at = Timestamptz(null=True, default=None)
    closed_reason = Text(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class OfferInstallment(Table, tablename="offer_installment"):
    """One instalment of a plan offer, numbered from 1 in date order."""

    id = UUID(primary_key=True)
    client_id = UUID()
    offer_id = UUID()
    seq = Integer()
    due_date = Date()
    amount_cents = BigInt()


class BalanceAdjustment(Table, tablename="balance_adjustment"):
    """A change to an account's balance that is not money: the rest of the balance written
    off when a settlement is paid, that write-off undone when the paying money is
    reversed, and an adjustment the client reports in a financial file. Append-only: an
    undo is a new row pointing at the one it undoes."""

    id = UUID(primary_key=True)
    client_id = UUID()
    account_id = UUID()
    # The settlement a write-off (or its undoing) belongs to; none for a client's own.
    offer_id = UUID(null=True, default=None)
    # 'settlement_write_off' (negative amount), 'write_off_undone' (positive) or
    # 'client_adjustment' (either sign).
    kind = Varchar(length=24)
    amount_cents = BigInt()
    # The client's reason and the date it dated the adjustment (client adjustments only).
    reason = Text(null=True, default=None)
    effective_on = Date(null=True, default=None)
    payment_id = UUID(null=True, default=None)
    reversal_id = UUID(null=True, default=None)
    undoes_id = UUID(null=True, default=None)
    balance_before_cents = BigInt()
    balance_after_cents = BigInt()
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ClientTransaction(Table, tablename="client_transaction"):
    """A row of a client's financial file and the movement it made on an account (a direct
    payment, a balance adjustment, the reversal of a direct payment). Its unique keys make
    the file's rows idempotent: one movement per (placement, line), so a worker that dies
    and resumes never applies a row twice; and one per client transaction id when the file
    carries one, so a transaction reported again is refused, not paid twice. Append-only."""

    id = UUID(primary_key=True)
    client_id = UUID()
    placement_id = UUID()
    line = Integer()
    # The client's own id of the transaction, when its column map has one.
    transaction_id = Varchar(length=64, null=True, default=None)
    # 'payment', 'adjustment' or 'reversal': which of the three ids below is set.
    kind = Varchar(length=16)
    account_id = UUID()
    payment_id = UUID(null=True, default=None)
    reversal_id = UUID(null=True, default=None)
    adjustment_id = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
