"""Call records, their findings, and what calls leave behind (promises, follow-ups).

`call`, `call_account` and `call_evaluation` are append-only (see server/migrate.py and the
queues migrations): a call is never edited, it is corrected by a new version, and a
finding is never withdrawn, it is superseded by a later evaluation.
"""

from piccolo.columns import (
    UUID,
    Array,
    BigInt,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Call(Table, tablename="call"):
    """One version of a call. A correction is a new row whose `corrects_call_id` names the
    version it replaces; every version of one call shares the first one's id as `chain_id`,
    and the version no row corrects is the one that counts."""

    id = UUID(primary_key=True)
    chain_id = UUID()
    corrects_call_id = UUID(null=True, default=None)
    # The account the call was recorded on, and its client; `call_account` lists every
    # account the call was about (this one included).
    account_id = UUID()
    client_id = UUID()
    debtor_id = UUID()
    collector_id = UUID()
    phone_e164 = Varchar(length=32)
    direction = Varchar(length=8)
    started_at = Timestamptz()
    duration_s = Integer()
    outcome = Varchar(length=24)
    notes = Text(null=True, default=None)
    # With outcome `callback`: the consumer's direct prior consent (12 CFR 1006.14(b)(3)(i))
    # to be called on that day, which the rules read in every zone they consider.
    callback_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class CallAccount(Table, tablename="call_account"):
    """The accounts one version of a call was about; it counts for each."""

    id = UUID(primary_key=True)
    call_id = UUID()
    account_id = UUID()
    client_id = UUID()


class CallEvaluation(Table, tablename="call_evaluation"):
    """A verdict on one version of a call for one account: the rules it breached (empty:
    none). The newest evaluation of a (call, account) is the current one; a back-dated
    call that changes the verdict of a later call appends a new evaluation for it."""

    id = UUID(primary_key=True)
    call_id = UUID()
    chain_id = UUID()
    account_id = UUID()
    client_id = UUID()
    debtor_id = UUID()
    collector_id = UUID()
    started_at = Timestamptz()
    violations = Array(base_column=Varchar(length=64), default=list)
    # 'recorded' (judged when stored) or 'rejudged' (after another call was stored).
    cause = Varchar(length=16)
    caused_by_call_id = UUID()
    evaluated_at = Timestamptz(default=TimestamptzNow())


class Promise(Table, tablename="promise"):
    """A promise to pay made on a call; settlements mark it kept or broken."""

    id = UUID(primary_key=True)
    call_id = UUID()
    chain_id = UUID()
    account_id = UUID()
    client_id = UUID()
    debtor_id = UUID()
    amount_cents = BigInt(null=True, default=None)
    due_on = Date(null=True, default=None)
    status = Varchar(length=16, default="open")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class FollowUp(Table, tablename="follow_up"):
    """Work owed to a person at a time: a callback the consumer asked for."""

    id = UUID(primary_key=True)
    call_id = UUID()
    chain_id = UUID()
    account_id = UUID()
    client_id = UUID()
    debtor_id = UUID()
    kind = Varchar(length=16, default="callback")
    due_at = Timestamptz()
    status = Varchar(length=16, default="open")
    created_at = Timestamptz(default=TimestamptzNow())
