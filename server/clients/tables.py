from piccolo.columns import JSONB, UUID, BigInt, Integer, Timestamptz, Varchar
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
    grace_days = Integer(default=5)
    # The date its itemization figures are stated at (schemas.ItemizationDate); null: unset.
    itemization_date = Varchar(length=16, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
