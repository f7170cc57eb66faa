from piccolo.columns import UUID, BigInt, Boolean, Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Dispute(Table, tablename="dispute"):
    """A consumer's dispute of a debt, or request for the original creditor's name and
    address (15 U.S.C. 1692g(b); 12 CFR 1006.38), as received: kept forever. Whether it was
    timely and whether it blocks collection are decided when it is recorded
    (`disputes.rules`) and kept with it, so a later change of the account's notice dates
    never rewrites what the agency did then."""

    id = UUID(primary_key=True)
    account_id = UUID()
    client_id = UUID()
    # "dispute" or "original_creditor_request".
    kind = Varchar(length=32)
    # "oral", "written" or "electronic" (writing when the agency accepts it).
    channel = Varchar(length=16)
    received_at = Timestamptz()
    # The calendar day timeliness is judged on (rules.received_on).
    received_on = Date()
    # "whole" or "partial"; a partial dispute names the cents disputed.
    scope = Varchar(length=8)
    disputed_cents = BigInt(null=True, default=None)
    # What the consumer said or wrote, in their words.
    words = Text()
    # rules.Timeliness: before_notice, after_return, in_period or late.
    timeliness = Varchar(length=16)
    blocks_collection = Boolean()
    # Where it was recorded: "dispute" (POST .../disputes), "status_action" or "call".
    source = Varchar(length=16)
    recorded_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
    # When the answer (verification, or the creditor's name and address) was recorded as
    # mailed: the dispute is open until then.
    answered_at = Timestamptz(null=True, default=None)
    # A supervisor's decision that this written dispute is duplicative (12 CFR
    # 1006.38(d)(2)(ii)): substantially the same as `duplicate_of`, already answered, with
    # no new information, and why.
    duplicate_of = UUID(null=True, default=None)
    duplicate_reason = Text(null=True, default=None)
    duplicate_marked_by = UUID(null=True, default=None)
    duplicate_marked_at = Timestamptz(null=True, default=None)
