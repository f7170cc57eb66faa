from piccolo.columns import UUID, BigInt, Boolean, Bytea, Date, Integer, Text, Timestamptz, Varchar
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
    # The letter that answered it (verification, the original creditor's name and address,
    # or the duplicate-dispute notice), whose mailing recorded `answered_at`.
    answered_by_letter_id = UUID(null=True, default=None)


class VerificationRequest(Table, tablename="verification_request"):
    """What the agency asks the account's client when a dispute comes in: the documents
    that verify the debt (or the original creditor's name and address), by `due_on`. The
    client answers it (verified, with documents) or recalls the account; a dispute marked
    duplicative needs none."""

    id = UUID(primary_key=True)
    dispute_id = UUID(unique=True)
    account_id = UUID()
    client_id = UUID()
    opened_at = Timestamptz()
    # VERIFICATION_DUE_BD business days after the agency day it was opened.
    due_on = Date()
    # "open", "verified", "recalled" or "duplicate".
    status = Varchar(length=16)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = UUID(null=True, default=None)
    # What the client said with its answer; for an original-creditor request, the name and
    # mailing address it gave (lines separated by "|").
    note = Text(null=True, default=None)
    original_creditor_name = Varchar(length=200, null=True, default=None)
    original_creditor_address = Text(null=True, default=None)


class VerificationDocument(Table, tablename="verification_document"):
    """A document the client uploaded to answer a request: its kind, name, type (read from
    its bytes) and size; the bytes in chunks (VerificationDocumentChunk)."""

    id = UUID(primary_key=True)
    request_id = UUID()
    client_id = UUID()
    # "itemized_statement", "contract", "signed_application" or "other".
    kind = Varchar(length=24)
    file_name = Varchar(length=255)
    media_type = Varchar(length=32)
    byte_size = BigInt()
    sha256 = Varchar(length=64)
    chunk_count = Integer()
    uploaded_by = UUID()
    created_at = Timestamptz(default=TimestamptzNow())


class VerificationDocumentChunk(Table, tablename="verification_document_chunk"):
    id = UUID(primary_key=True)
    document_id = UUID()
    client_id = UUID()
    seq = Integer()
    data = Bytea()


class DisputeAnswer(Table, tablename="dispute_answer"):
    """A letter that answers a dispute, due from a client's answer (the verification, or
    the original creditor's name and address) or a supervisor's duplicate decision (the
    duplicate-dispute notice): made by the letter batch (`letter_id`), and the dispute
    answered when the vendor reports it mailed (`mailed_at`)."""

    id = UUID(primary_key=True)
    dispute_id = UUID()
    account_id = UUID()
    client_id = UUID()
    # "verification", "original_creditor" or "duplicate_dispute".
    kind = Varchar(length=24)
    request_id = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    letter_id = UUID(null=True, default=None)
    mailed_at = Timestamptz(null=True, default=None)


class VerificationReminder(Table, tablename="verification_reminder"):
    """What the client was due to be told about a request on one agency day (at most one a
    day): "verification_requested", "verification_due_soon" or "verification_overdue", and
    whether a notifier was there to send it."""

    id = UUID(primary_key=True)
    request_id = UUID()
    client_id = UUID()
    kind = Varchar(length=32)
    on_date = Date()
    notified = Boolean()
    created_at = Timestamptz(default=TimestamptzNow())
