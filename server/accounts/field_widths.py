"""The widths of the text columns that the fields of a placement file land in, read from
the tables themselves: a value longer than its column would make the whole batch's
merge fail in PostgreSQL, so the loader refuses that row first, naming the limit. Keyed
by the field's name (the column's, where they are the same)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from server.accounts.tables import Account, Debtor
from server.kit.db import width

TEXT_WIDTHS: Mapping[str, int] = MappingProxyType(
    {
        "client_account_number": width(Account.client_account_number),
        "serviced_account_number": width(Account.serviced_account_number),
        "original_creditor": width(Account.original_creditor),
        "first_name": width(Debtor.first_name),
        "last_name": width(Debtor.last_name),
        "address_line1": width(Debtor.address_line1),
        "address_line2": width(Debtor.address_line2),
        "city": width(Debtor.city),
        "email": width(Debtor.emails.base_column),
    }
)
