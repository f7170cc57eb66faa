"""Rows to response schemas: one conversion instead of a `field=row["field"]` per field.

A schema's fields are named as the query's columns; what a row does not hold (a figure
computed from several columns, a nested section) is passed beside it. msgspec checks
every value against the schema's type, so a column that changed type fails loudly here
rather than reaching a client in the wrong shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import asyncpg
import msgspec

S = TypeVar("S")


def read_as(schema: type[S], row: Mapping[str, Any] | asyncpg.Record, **computed: Any) -> S:
    """`schema` from the row's columns of the same names, and `computed` for the rest."""
    return msgspec.convert({**dict(row.items()), **computed}, schema)
