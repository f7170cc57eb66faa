"""The account detail's one statement: the account row and every part of its detail
(the person, the status history, the blocks in force, each registered section's parts),
read in one round trip.

A part is a query of its own, written with named parameters, which this binds to the
statement's: `$account` (the account's id), `$client` and `$debtor` (its client and
person), `$visible` (the clients the reader may see, NULL for all), `$whole` (the reader
reads the person whole), `$staff` (the reader is the agency's), `$read_at` (the moment the
detail is read, from server/kit/clock.py) and `$agency_tz`. Each part comes back as one
array of records, read back by the part's own column names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from server.accounts import preference_repository, repository
from server.kit import db

_PARAMETERS = {
    "account": "$1::uuid",
    "visible": "$2::uuid[]",
    "whole": "$3::boolean",
    "staff": "$4::boolean",
    "read_at": "$5::timestamptz",
    "agency_tz": "$6::text",
    "client": "(SELECT k.client_id FROM account k WHERE k.id = $1::uuid)",
    "debtor": "(SELECT k.debtor_id FROM account k WHERE k.id = $1::uuid)",
}
_NAMED = re.compile(r"\$([a-z_]+)\b")
# Always true, and names every parameter with its type: a statement that uses only some
# of them still prepares (PostgreSQL refuses a parameter it cannot type).
_EVERY_PARAMETER = (
    "(" + " OR ".join(f"{p} IS NULL" for p in list(_PARAMETERS.values())[:6]) + " OR TRUE)"
)


def numbered(sql: str) -> str:
    """`sql` with its named parameters as the statement's numbered ones."""

    def parameter(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in _PARAMETERS:
            raise ValueError(f"an account detail part names an unknown parameter ${name}")
        return _PARAMETERS[name]

    return _NAMED.sub(parameter, sql)


# The parts the accounts domain reads itself: the person as the reader may see them (a
# client only its own profile and numbers), the status history, the blocks in force.
_OWN = "CASE WHEN $whole THEN NULL ELSE $client END"
CORE_PARTS = {
    "debtor": db.bind(repository.DEBTOR_SQL, "$debtor"),
    "profiles": db.bind(repository.PROFILES_SQL, "$debtor", _OWN),
    "phones": db.bind(repository.DEBTOR_PHONES_SQL, "$debtor", _OWN),
    "learned": db.bind(preference_repository.LEARNED_ADDRESSES_SQL, "$debtor", _OWN),
    "history": db.bind(repository.STATUS_HISTORY_SQL, "$account"),
    "blocks": db.bind(repository.BLOCKS_IN_FORCE_SQL, "$account"),
}


# A staff-only part's filter: a one-time filter, its query not run for a client.
_STAFF = " WHERE $staff"


# asyncpg decodes a value inside a record only with a codec its connection already holds,
# and it loads one (for an array type, say) only for a statement's own columns: the
# statement names every type its parts return, in empty columns of its own, so each
# connection has them all before it decodes a row. These are the array types of the
# records nested within parts (a call's accounts, say), which the parts' own columns do
# not show.
NESTED_TYPES = tuple(
    f"pg_catalog.{name}[]"
    for name in ("uuid", "varchar", "text", "int4", "int8", "bool", "numeric", "date",
                 "timestamptz", "jsonb")
)  # fmt: skip


def type_columns(types: Sequence[str]) -> str:
    return ", ".join(f"NULL::{t} AS t{i}" for i, t in enumerate(types))


def detail_sql(types: Sequence[str], parts: Sequence[tuple[str, bool]]) -> str:
    """The statement: an empty column of each of `types`, the account's row if the reader
    may see its client, then one column per part (its SQL, and whether only the agency's
    people read it)."""
    columns = "".join(
        f",\n ARRAY(SELECT ROW(q.*) FROM ({sql}) q{_STAFF if staff else ''}) AS p{i}"  # noqa: S608
        for i, (sql, staff) in enumerate(parts)
    )
    return numbered(
        f"""
        SELECT {type_columns(types)}, {repository.ACCOUNT_COLUMNS}{columns}
        FROM account a
        WHERE a.id = $account AND ($visible IS NULL OR a.client_id = ANY ($visible))
          AND {_EVERY_PARAMETER}
        """  # noqa: S608 - the server's own parts
    )


async def part_columns(sql: str) -> tuple[tuple[str, str], ...]:
    """The names and types of a part's columns."""
    return await db.columns_of(numbered(f"SELECT * FROM ({sql}) q WHERE {_EVERY_PARAMETER}"))  # noqa: S608


async def read_detail(sql: str, values: Mapping[str, Any]) -> asyncpg.Record | None:
    return await db.fetchrow(sql, *(values[name] for name in list(_PARAMETERS)[:6]))
