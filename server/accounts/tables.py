from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    Boolean,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Debtor(Table, tablename="debtor"):
    """The agency's person behind one or more accounts, of any client. Matched across
    placements by SSN hash, else by name + date of birth + the same address or phone (of
    any client's profile). Holds only the match key and the consumer's own requests, which
    bind every debt of the person; what each client supplied about them is that client's
    `DebtorProfile`, never shown to another client."""

    id = UUID(primary_key=True)
    ssn_hash = Varchar(length=64, null=True, default=None)
    # An oral "stop calling": the telephone is closed for this person, every account.
    no_telephone = Boolean(default=False)
    no_telephone_since = Timestamptz(null=True, default=None)
    # [{"weekdays": [0..6], "start": "HH:MM", "end": "HH:MM"}] in the consumer's local time.
    inconvenient_times = JSONB(default="[]")
    # The media the consumer refused (1006.14(h)): {"email" | "text" | "telephone":
    # {"since", "channel", "received_at"}}. The telephone's is also `no_telephone`, which
    # the contact rules read; no sender of e-mail or text honours theirs yet, one must.
    refused_media = JSONB(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class DebtorProfile(Table, tablename="debtor_profile"):
    """What one client's files said about the person (identity and contact data), with
    the placements that supplied and last changed it. One per (debtor, client); a client's
    files write only its own. `client_id` null: what the agency holds but cannot prove any
    one client supplied (from before profiles existed), shown to staff only."""

    id = UUID(primary_key=True)
    debtor_id = UUID(index=True)
    client_id = UUID(null=True, default=None)
    first_name = Varchar(length=100, null=True, default=None)
    last_name = Varchar(length=100, null=True, default=None)
    date_of_birth = Date(null=True, default=None)
    ssn_last4 = Varchar(length=4, null=True, default=None)
    address_line1 = Varchar(length=200, null=True, default=None)
    address_line2 = Varchar(length=200, null=True, default=None)
    city = Varchar(length=100, null=True, default=None)
    state = Varchar(length=2, null=True, default=None)
    zip5 = Varchar(length=5, null=True, default=None)
    time_zone = Varchar(length=64, null=True, default=None)
    emails = Array(base_column=Varchar(length=254), default=list)
    supplied_by_placement_id = UUID(null=True, default=None)
    updated_by_placement_id = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class DebtorPhone(Table, tablename="debtor_phone"):
    """A number of the person, once per supplier: `client_id` is the client whose file
    gave it (or on whose account the agency learned it, `learned_on_account_id`); null
    when no supplier can be proven (agency-only, never shown to a client). Its status
    is the number's, for the person: kept equal on every supplier's row."""

    id = UUID(primary_key=True)
    debtor_id = UUID(index=True)
    client_id = UUID(null=True, default=None)
    learned_on_account_id = UUID(null=True, default=None)
    supplied_by_placement_id = UUID(null=True, default=None)
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
    # The day the vendor reported the last notice mailed came back undeliverable: the
    # account has no validation period until a notice reaches the consumer.
    validation_notice_returned_on = Date(null=True, default=None)
    # When the consumer first disputed the debt (any dispute, any channel, timely or not;
    # the earliest received): the debt is described as disputed from then on, everywhere
    # the agency describes it (15 U.S.C. 1692e(8)). Null: never disputed.
    disputed_since = Timestamptz(null=True, default=None)
    # The itemization the new-business file stated (12 CFR 1006.34(c)(2)(iii)-(viii)):
    # null where the file gave none (`placements.itemization`).
    itemization_date = Date(null=True, default=None)
    itemization_balance_cents = BigInt(null=True, default=None)
    interest_since_itemization_cents = BigInt(null=True, default=None)
    fees_since_itemization_cents = BigInt(null=True, default=None)
    payments_since_itemization_cents = BigInt(null=True, default=None)
    creditor_on_itemization_date = Varchar(length=200, null=True, default=None)
    current_creditor = Varchar(length=200, null=True, default=None)
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


class AccountBlock(Table, tablename="account_block"):
    """A block on collection (dispute, cease, bankruptcy, attorney, death): who added it,
    when, on what evidence; and who lifted it, when, by which action, on what evidence.
    Kept forever; at most one of each kind in force per account (a partial unique index).
    The account's status is the most severe block in force (statuses.open_status)."""

    id = UUID(primary_key=True)
    account_id = UUID(index=True)
    client_id = UUID()
    kind = Varchar(length=24)
    reason = Text()
    channel = Varchar(length=16, null=True, default=None)
    received_at = Timestamptz()
    evidence = JSONB(null=True, default=None)
    # "action", "maintenance_file" or "migration" (in force before blocks were recorded).
    source = Varchar(length=16)
    added_by = UUID(null=True, default=None)
    added_at = Timestamptz(default=TimestamptzNow())
    lifted_at = Timestamptz(null=True, default=None)
    lifted_by = UUID(null=True, default=None)
    lift_action = Varchar(length=24, null=True, default=None)
    lift_reason = Text(null=True, default=None)
    lift_received_at = Timestamptz(null=True, default=None)
    lift_evidence = JSONB(null=True, default=None)


class AccountNote(Table, tablename="account_note"):
    """What the agency's staff write about an account outside a call (a letter that came
    in, a word with the client). Append-only, like calls: a note is never edited, a later
    note says what changed."""

    id = UUID(primary_key=True)
    account_id = UUID()
    client_id = UUID()
    author_id = UUID()
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class DebtorLearnedAddress(Table, tablename="debtor_learned_address"):
    """An address the consumer gave the agency's staff (on a call, in a letter), learned on
    one client's account: that client sees it with its own data, no other client does.
    Append-only: a newer one supersedes it and it stays as history. The contact rules read
    the newest (`debtor_address`); the letters about any debt of the person go to it when
    it is newer than what the account's client last sent."""

    id = UUID(primary_key=True)
    debtor_id = UUID()
    client_id = UUID()
    learned_on_account_id = UUID()
    address_line1 = Varchar(length=200)
    address_line2 = Varchar(length=200, null=True, default=None)
    city = Varchar(length=100)
    state = Varchar(length=2)
    zip5 = Varchar(length=5)
    time_zone = Varchar(length=64, null=True, default=None)
    channel = Varchar(length=16)
    received_at = Timestamptz()
    recorded_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
