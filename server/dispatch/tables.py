"""The dispatcher's tables: account scores and the work queues.

Both were created as SQL by the queues migration 2026-11-25T23:55:00 (with the triggers
that take a person out of a queue); these classes say as much of that SQL as Piccolo can,
so that the dispatch app's migrations know the tables. What Piccolo cannot say is in the
comments: the check constraints, the foreign keys (across apps, as everywhere here) and
the composite index. No column has a default unless the SQL gives one. The tables are
read and written only by the set-based SQL in `server.dispatch.repository`.
"""

from piccolo.columns import (
    UUID,
    Array,
    BigInt,
    BigSerial,
    Boolean,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AccountScore(Table, tablename="account_score"):
    """The score of one open account, with its parts (server.dispatch.scoring)."""

    # REFERENCES account (id) ON DELETE CASCADE.
    account_id = UUID(primary_key=True, default=None)
    # CHECK (score BETWEEN 0 AND 1000).
    score = SmallInt(default=None)
    # CHECK (expected_recovery_cents >= 0).
    expected_recovery_cents = BigInt(default=None)
    age_permille = SmallInt(default=None)
    contact_permille = Integer(default=None)
    balance_permille = SmallInt(default=None)
    # CHECK (priority BETWEEN 0 AND 2).
    priority = SmallInt(default=None)
    scored_at = Timestamptz(default=None)


class QueueItem(Table, tablename="queue_item"):
    """A person in one collector's queue, with their workable accounts, and its lease.

    Indexed for the claim: queue_item_work ON (collector_id, rank, debtor_id)."""

    id = UUID(primary_key=True, default=None)
    # REFERENCES debtor (id); UNIQUE: a person sits in at most one queue.
    debtor_id = UUID(unique=True, default=None)
    # REFERENCES app_user (id).
    collector_id = UUID(default=None)
    rank = Integer(default=None)
    priority = SmallInt(default=None)
    best_score = SmallInt(default=None)
    # CHECK (cardinality(account_ids) > 0).
    account_ids = Array(base_column=UUID(), default=None)
    leased_until = Timestamptz(null=True, default=None)
    leased_at = Timestamptz(null=True, default=None)
    leased_account_id = UUID(null=True, default=None)
    queued_at = Timestamptz(default=TimestamptzNow())


class ScoreStale(Table, tablename="score_stale"):
    """A person whose accounts' score facts were written since the dispatcher last read
    them: one row per write, appended by the triggers of the dispatch migration
    2026-12-07T16:10:10 and deleted by the rescore that reads them (in the same statement,
    so one snapshot), never updated: a write committed while a rescore runs keeps its row
    for the next one."""

    id = BigSerial(primary_key=True)
    # REFERENCES nothing: the person may be gone (a merge), and the mark with them.
    debtor_id = UUID(default=None)


class ScorePass(Table, tablename="score_pass"):
    """A rescore the dispatcher ran: when, whether it read every open account (the first
    of each UTC day, the first after the weights changed or the clock went back), and with
    which weights. The latest tells the next run what its scores were made as of."""

    id = BigSerial(primary_key=True)
    scored_at = Timestamptz(default=None)
    full_pass = Boolean(default=None)
    # The weights as JSON, in scoring.Weights field order.
    weights = Text(default=None)
