from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Message(Table, tablename="message"):
    """A message between a client and the agency about one of the client's accounts or
    placements (exactly one of the two), kept forever as written (append-only). Both
    sides read it; no other client does. The agency's staff-only notes are account notes,
    never messages."""

    id = UUID(primary_key=True)
    client_id = UUID(index=True)
    account_id = UUID(null=True, default=None)
    placement_id = UUID(null=True, default=None)
    # "client" (a client's user or API token wrote it) or "agency" (its staff).
    side = Varchar(length=8)
    author_id = UUID()
    # The author's name as it was when they wrote.
    author_name = Varchar(length=100)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class MessageReadMark(Table, tablename="message_read_mark"):
    """That one reader (a user, or a client's API token) has read one message: unread is
    what the other side wrote that the reader has no mark for."""

    id = UUID(primary_key=True)
    message_id = UUID()
    reader_id = UUID()
    client_id = UUID()
    read_at = Timestamptz(default=TimestamptzNow())
