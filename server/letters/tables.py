from piccolo.columns import JSONB, UUID, Bytea, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class LetterBatch(Table, tablename="letter_batch"):
    """What the letter vendor receives one night: every letter due, as one PDF and an index
    CSV, for one planned mailing date. Append-only: a batch is never edited."""

    id = UUID(primary_key=True)
    planned_mailing_on = Date()
    letter_count = Integer()
    page_count = Integer()
    pdf = Bytea()
    index_csv = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class Letter(Table, tablename="letter"):
    """One letter to one consumer about one account: its bytes, the data it was made from
    and the address it went to (12 CFR 1006.100: kept). Append-only: what happened to it
    afterwards (mailed, returned, void) is a LetterEvent."""

    id = UUID(primary_key=True)
    batch_id = UUID()
    account_id = UUID()
    client_id = UUID()
    kind = Varchar(length=24)
    # The one-line address the letter was sent to, as the vendor's index carries it.
    address_text = Text()
    data = JSONB()
    pdf = Bytea()
    page_count = Integer()
    planned_mailing_on = Date()
    # The validation period's end printed on a notice (null for other letters).
    printed_period_ends_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class LetterEvent(Table, tablename="letter_event"):
    """What the vendor reported of a letter (mailed, returned) and what followed from it
    (void: mailed later than planned). At most one of each kind per letter, so importing a
    return file again changes nothing. Append-only."""

    id = UUID(primary_key=True)
    letter_id = UUID()
    kind = Varchar(length=16)
    occurred_on = Date()
    reason = Text(null=True, default=None)
    import_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())


class LetterReturnImport(Table, tablename="letter_return_import"):
    """One return file as imported: who sent it, its digest and what each row did."""

    id = UUID(primary_key=True)
    sha256 = Varchar(length=64)
    file_name = Varchar(length=255, null=True, default=None)
    imported_by = UUID()
    report = JSONB()
    created_at = Timestamptz(default=TimestamptzNow())


class BadAddress(Table, tablename="letter_bad_address"):
    """An address mail came back from, for one account: no letter goes there again. Keyed
    by the address's text, so a corrected address is a new one."""

    id = UUID(primary_key=True)
    account_id = UUID()
    address_text = Text()
    letter_id = UUID()
    returned_on = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class LetterDue(Table, tablename="letter_due"):
    """A letter another domain's event made due (an offer accepted, an account paid or
    settled in full), written in that event's transaction and settled by the night's
    batch: made (`letter_id`) or no longer due (`dropped_reason`). Settled once, never
    deleted; the batch reads the facts it prints when it makes the letter."""

    id = UUID(primary_key=True)
    account_id = UUID()
    client_id = UUID()
    kind = Varchar(length=24)
    offer_id = UUID(null=True, default=None)
    payment_id = UUID(null=True, default=None)
    # The agency-local day of the event (a payment's received date).
    occurred_on = Date()
    created_at = Timestamptz(default=TimestamptzNow())
    letter_id = UUID(null=True, default=None)
    dropped_reason = Text(null=True, default=None)
    settled_at = Timestamptz(null=True, default=None)
