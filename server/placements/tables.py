from piccolo.columns import UUID, BigInt, Bytea, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


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
    # Why a `failed` placement stopped, for the client (see placements/failures.py), and
    # how the last attempt failed, for the next to compare with (no message: no values).
    failure_reason = Text(null=True, default=None)
    last_failure = Varchar(length=200, null=True, default=None)
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
