"""Who applies the rows of a kind of placement file that placements only reads.

A financial file's rows are money: settlements applies them through its own service,
each row in a transaction of its own. Settlements sits above placements, so placements
declares what it needs here and the composition root (`server.wiring`) registers the
owner at start-up; placements never imports settlements.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from server.clients.column_map import FileKind
from server.placements.file_changes import FinancialRow
from server.placements.rows import RowError


@dataclass(frozen=True)
class RowOwner:
    """The domain that applies and acknowledges a kind of file's rows."""

    # (placement id, client id, rows) -> one error per refused row, its column left blank
    # (the loader knows the file's headers).
    apply: Callable[[UUID, UUID, list[FinancialRow]], Awaitable[list[RowError]]]
    # The acknowledgement: its columns, and its rows for a placement in line order.
    acknowledgement_columns: tuple[str, ...]
    acknowledged: Callable[[UUID], AsyncIterator[list[Any]]]
    # Field -> the width of the column the owner keeps it in: a longer value is a row
    # error (`too_long`) before the owner sees the row.
    text_widths: Mapping[str, int] = field(default_factory=dict)


class NoRowOwner(RuntimeError):
    """A file of a kind whose rows nobody registered to apply: the process started
    without `server.wiring.wire()`."""

    def __init__(self, kind: FileKind) -> None:
        super().__init__(
            f"no service is registered to apply {kind} files: the process must call "
            "server.wiring.wire() at start-up"
        )


_owners: dict[FileKind, RowOwner] = {}


def register_row_owner(kind: FileKind, owner: RowOwner) -> None:
    _owners[kind] = owner


def row_owner(kind: FileKind) -> RowOwner | None:
    """The owner of `kind`'s rows, or None for the kinds placements merges itself."""
    return _owners.get(kind)


def required_row_owner(kind: FileKind) -> RowOwner:
    owner = _owners.get(kind)
    if owner is None:
        raise NoRowOwner(kind)
    return owner
