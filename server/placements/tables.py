from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    Boolean,
    Bytea,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Client(Table, tablename="client"):
    """A creditor business that places accounts with the agency."""

    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    status = Varchar(length=16, default="active")
    # {tier: basis points}, e.g. {"primary": 2500, "secondary": 3500, "legal": 4000}
    fee_rates_bps = JSONB()
    remittance_cycle = Varchar(length=16)
    remittance_method = Varchar(length=16)
    # {payment method: business days}, e.g. {"ach": 5, "check": 10, "card": 1}
    clearing_days = JSONB()
    authority = JSONB()
    column_map = JSONB()
    # A first file with any balance above this is held for the client's confirmation.
    max_plausible_balance_cents = BigInt(default=10_000_000)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Placement(Table, tablename="placement"):
    """One uploaded file or API batch. The same bytes for the same client and kind are the
    same placement (unique on the SHA-256, see the migration)."""

    id = UUID(primary_key=True)
    client_id = UUID(index=True)
    kind = Varchar(length=16)
    tier = Varchar(length=16)
    file_name = Varchar(length=255, null=True, default=None)
    sha256 = Varchar(length=64)
    byte_size = BigInt()
    chunk_count = Integer()
    status = Varchar(length=24, default="received")
    # Locked when the file is received: later changes to the client's schedule do not
    # reprice what is already placed.
    fee_rate_bps = Integer()
    rows_read = Integer(default=0)
    rows_accepted = Integer(default=0)
    rows_rejected = Integer(default=0)
    rows_warned = Integer(default=0)
    # The sum of the placed balances of the accounts loaded (new business).
    balance_placed_cents = BigInt(default=0)
    # Restart point: every record up to this line is loaded and counted.
    last_line_done = Integer(default=1)
    bytes_done = BigInt(default=0)
    attempts = Integer(default=0)
    heartbeat_at = Timestamptz(null=True, default=None)
    rejected_reason = Text(null=True, default=None)
    # Why the placement awaits the client's confirmation (see placements/plausibility.py).
    held_reason = Text(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class PlacementChunk(Table, tablename="placement_chunk"):
    """The uploaded bytes, kept in PostgreSQL so any worker on any host can read them and
    the original stays for audit."""

    id = UUID(primary_key=True)
    placement_id = UUID()
    client_id = UUID()
    seq = Integer()
    data = Bytea()


class PlacementError(Table, tablename="placement_error"):
    id = UUID(primary_key=True)
    placement_id = UUID()
    client_id = UUID()
    line = Integer()
    column_name = Varchar(length=255, null=True, default=None)
    field = Varchar(length=64, null=True, default=None)
    code = Varchar(length=64)
    reason = Text()
    severity = Varchar(length=8, default="error")


class Debtor(Table, tablename="debtor"):
    """The person behind one or more accounts, of any client. Matched across placements by
    SSN hash, else by name + date of birth + the same address or phone."""

    id = UUID(primary_key=True)
    first_name = Varchar(length=100, null=True, default=None)
    last_name = Varchar(length=100)
    date_of_birth = Date(null=True, default=None)
    ssn_last4 = Varchar(length=4, null=True, default=None)
    ssn_hash = Varchar(length=64, null=True, default=None)
    address_line1 = Varchar(length=200, null=True, default=None)
    address_line2 = Varchar(length=200, null=True, default=None)
    city = Varchar(length=100, null=True, default=None)
    state = Varchar(length=2, null=True, default=None)
    zip5 = Varchar(length=5, null=True, default=None)
    time_zone = Varchar(length=64, null=True, default=None)
    emails = Array(base_column=Varchar(length=254), default=list)
    # An oral "stop calling": the telephone is closed for this person, every account.
    no_telephone = Boolean(default=False)
    no_telephone_since = Timestamptz(null=True, default=None)
    # [{"weekdays": [0..6], "start": "HH:MM", "end": "HH:MM"}] in the consumer's local time.
    inconvenient_times = JSONB(default="[]")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class DebtorPhone(Table, tablename="debtor_phone"):
    id = UUID(primary_key=True)
    debtor_id = UUID(index=True)
    e164 = Varchar(length=16)
    kind = Varchar(length=8)
    status = Varchar(length=16, default="valid")
    status_since = Timestamptz(null=True, default=None)
    employer_forbids_calls = Boolean(default=False)
    time_zones = Array(base_column=Varchar(length=64), default=list)
    created_at = Timestamptz(default=TimestamptzNow())


class Account(Table, tablename="account"):
    """One debt. Balances in cents; status changes only through explicit, audited actions."""

    id = UUID(primary_key=True)
    client_id = UUID()
    placement_id = UUID(index=True)
    # The line of the placement file the account came from, for the acknowledgement.
    placement_line = Integer(null=True, default=None)
    debtor_id = UUID(index=True)
    client_account_number = Varchar(length=64)
    # Set from the new-business file only: accounts of one person and client with the same
    # value were serviced together when obtained and are one debt for the contact-rule
    # counts (12 CFR 1006.14(b)(4)). Null: serviced alone.
    serviced_account_number = Varchar(length=64, null=True, default=None)
    original_creditor = Varchar(length=200, null=True, default=None)
    tier = Varchar(length=16)
    fee_rate_bps = Integer()
    principal_cents = BigInt()
    interest_cents = BigInt()
    fees_cents = BigInt()
    placed_balance_cents = BigInt()
    balance_cents = BigInt()
    delinquency_date = Date()
    charge_off_date = Date(null=True, default=None)
    last_payment_date = Date(null=True, default=None)
    statute_of_limitations_date = Date(null=True, default=None)
    status = Varchar(length=24, default="active")
    status_since = Timestamptz(default=TimestamptzNow())
    validation_notice_sent_on = Date(null=True, default=None)
    validation_period_ends_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class AccountStatusChange(Table, tablename="account_status_change"):
    """Every status change with its reason, channel and received date; kept forever."""

    id = UUID(primary_key=True)
    account_id = UUID(index=True)
    client_id = UUID()
    from_status = Varchar(length=24)
    to_status = Varchar(length=24)
    action = Varchar(length=24)
    reason = Text()
    channel = Varchar(length=16, null=True, default=None)
    received_at = Timestamptz()
    actor_id = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
