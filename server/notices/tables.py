from piccolo.columns import UUID, Array, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class NoticePreference(Table, tablename="notice_preference"):
    """A client user's e-mail address for notices and the kinds they switched off; a user
    without one (or without an address) is sent nothing."""

    id = UUID(primary_key=True)
    user_id = UUID(unique=True)
    client_id = UUID(index=True)
    email = Varchar(length=254, null=True, default=None)
    # NoticeKind values the user does not want; every other kind is sent.
    switched_off = Array(base_column=Varchar(length=32), default=list)
    updated_at = Timestamptz(default=TimestamptzNow())


class NoticeOutbox(Table, tablename="notice_outbox"):
    """One e-mail to one client user, written in the transaction of what it announces and
    sent by the `notices.send` job, at least once, always under the same Message-ID. Its
    words are a count and a link, never consumer data. Status: queued → sent, or failed
    once the retries (notices.backoff) are spent."""

    id = UUID(primary_key=True)
    client_id = UUID(index=True)
    user_id = UUID()
    kind = Varchar(length=32)
    recipient = Varchar(length=254)
    subject = Text()
    body = Text()
    message_id = Varchar(length=320, unique=True)
    status = Varchar(length=8)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
