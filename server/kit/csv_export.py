"""CSV downloads: streamed row by row, with text cells defused against formula injection.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and some begin with tab
or CR) as a formula, so a debtor name like `=HYPERLINK(...)` in a client's file could run
on the bookkeeper's machine. Text cells that start so get a leading apostrophe (OWASP's
advice); numbers (Decimal dollars too) are written as numbers, untouched, so amounts
stay summable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from decimal import Decimal
from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_line(cells: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(c) for c in cells])
    return buffer.getvalue()


async def csv_stream(
    header: Iterable[str], rows: AsyncIterator[Iterable[Any]]
) -> AsyncIterator[bytes]:
    yield csv_line(header).encode()
    async for row in rows:
        yield csv_line(row).encode()
