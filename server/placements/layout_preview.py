"""The first rows of a file as they would load under a proposed column map: each field's
value as the loader reads it (amounts in dollars, dates as dates), and the row's errors
and warnings from the same normalizer the loader runs.

Used by the portal's mapping step, on the first bytes of a file refused for its header:
nothing is stored, and the file itself is sent again once the map is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from server.clients.column_map import (
    AMOUNT_FIELDS,
    FIELDS,
    AmountFormat,
    ColumnMap,
    HeaderLayout,
    resolve_header,
)
from server.kit.dollars import dollars
from server.placements.amounts_and_dates import date_parser, parse_cents, parse_dollars
from server.placements.csv_stream import FileRejected, RecordReader
from server.placements.rows import NormalizeContext, Problem, RejectedRow, RowError

# Enough of a file for its header and the rows shown; the browser sends at most this.
SAMPLE_BYTES: Final = 64 * 1024
PREVIEW_ROWS: Final = 5
_DATE_FIELDS: Final = frozenset(
    f.name for specs in FIELDS.values() for f in specs if f.name.endswith("_date")
) | {"date_of_birth"}


@dataclass(frozen=True, slots=True)
class Sample:
    header: list[str]
    records: list[tuple[int, list[str]]]  # (physical start line, fields)


def read_sample(data: bytes, rows: int = PREVIEW_ROWS) -> Sample:
    """The header and the first `rows` records of a file's first bytes. Bytes cut short at
    SAMPLE_BYTES end at their last full line. Raises FileRejected as the loader would."""
    if len(data) >= SAMPLE_BYTES and b"\n" in data:
        data = data[: data.rindex(b"\n") + 1]
    reader = RecordReader()
    found = reader.feed(data) + reader.finish()
    if not found or not isinstance(found[0][1], list):
        raise FileRejected("empty_file", "the file holds no records")
    records = [(line, fields) for line, fields in found[1:] if isinstance(fields, list)]
    return Sample(found[0][1], records[:rows])


@dataclass(frozen=True, slots=True)
class PreviewRow:
    line: int
    values: dict[str, str]  # our field -> the value as loaded, in words
    errors: list[RowError]
    warnings: list[RowError]


def _shown(field: str, raw: str, column_map: ColumnMap) -> str:
    text = raw.strip()
    if not text:
        return ""
    if field in AMOUNT_FIELDS:
        cents = (
            parse_cents(text)
            if column_map.amount_format is AmountFormat.CENTS
            else (parse_dollars(text))
        )
        return "—" if isinstance(cents, Problem) else dollars(cents)
    if field == "zip" and text.isdigit() and 3 <= len(text) <= 4:
        return text.zfill(5)  # as the loader restores a spreadsheet's lost zeros
    if field in _DATE_FIELDS:
        day = date_parser(column_map.date_formats)(text)
        return f"{day:%b} {day.day}, {day.year}" if isinstance(day, date) else "—"
    return text


def preview(
    column_map: ColumnMap, sample: Sample, ctx: NormalizeContext, normalizer: object
) -> list[PreviewRow]:
    """Each sampled row as it would load; `normalizer(layout, ctx)` builds the loader's
    row normalizer for the map's kind. Raises HeaderMismatch when the map does not fit the
    file's header."""
    layout: HeaderLayout = resolve_header(sample.header, column_map)
    normalize = normalizer(layout, ctx)  # type: ignore[operator]
    rows = []
    for line, fields in sample.records:
        values = {
            spec.name: _shown(spec.name, fields[p], column_map)
            for spec in FIELDS[column_map.kind]
            if (p := layout.positions.get(spec.name)) is not None and p < len(fields)
        }
        result = normalize(line, fields)
        if isinstance(result, RejectedRow):
            rows.append(PreviewRow(line, values, list(result.errors), list(result.warnings)))
        else:
            rows.append(PreviewRow(line, values, [], list(result[1])))
    return rows
