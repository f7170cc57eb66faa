"""The widths of the text columns that the fields of a placement file land in, read from
the tables themselves: a value longer than its column would make the whole batch's
merge fail in PostgreSQL, so the loader refuses that row first, naming the limit. Keyed
by the field's name (the column's, where they are the same)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from server.accounts.tables import Account, DebtorProfile
from server.kit.db import width

TEXT_WIDTHS: Mapping[str, int] = MappingProxyType(
    {
        "client_account_number": width(Account.client_account_number),
        "serviced_account_number": width(Account.serviced_account_number),
        "original_creditor": width(Account.original_creditor),
        "creditor_on_itemization_date": width(Account.creditor_on_itemization_date),
        "current_creditor": width(Account.current_creditor),
        "first_name": width(DebtorProfile.first_name),
        "last_name": width(DebtorProfile.last_name),
        "address_line1": width(DebtorProfile.address_line1),
        "address_line2": width(DebtorProfile.address_line2),
        "city": width(DebtorProfile.city),
        "email": width(DebtorProfile.emails.base_column),
    }
)
