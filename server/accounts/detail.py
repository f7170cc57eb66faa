"""The account detail in one statement.

Every section another domain adds to the detail (payments, calls, score: they sit above
accounts, so the composition root registers them at start-up) is a set of parts, each a
query with the named parameters `detail_repository` binds, and a pure `read` that turns
what its parts returned into the section's read model, applying any rule in Python. The
detail composes the account's row, the person, its history and blocks and every section's
parts into one statement: one round trip, whatever the number of sections.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from server.accounts import debtors
from server.accounts import detail_repository as repository
from server.accounts.schemas import AccountRead, BlockRead, StatusChangeRead
from server.accounts.statuses import SEVERITY, Block
from server.accounts.validation_period import validation_state
from server.auth.principal import Principal, Role
from server.kit.mapping import read_as
from server.kit.settings import get_settings

Row = Mapping[str, Any]


@dataclass(frozen=True)
class DetailReading:
    """What a section's `read` is given: the reader, the account's row, the moment of the
    reading (one for the whole detail) and its parts' rows, by part name."""

    actor: Principal
    account: Row
    read_at: datetime
    parts: Mapping[str, list[Row]]

    def one(self, part: str) -> Row | None:
        rows = self.parts[part]
        return rows[0] if rows else None


@dataclass(frozen=True)
class DetailSection:
    # The parts' SQL by name (see detail_repository for the parameters they may name).
    parts: Mapping[str, str]
    read: Callable[[DetailReading], Any]
    # Read only by the agency's people: for a client the parts are not run, and `read`
    # is given no rows.
    staff_only: bool = False


_sections: dict[str, DetailSection] = {}


def register_account_section(name: str, section: DetailSection) -> None:
    """Add `section` to every account's detail, under `sections[name]`."""
    _sections[name] = section
    _statement.clear()


@dataclass
class _Statement:
    sql: str
    # The empty columns before the account's (see detail_repository.NESTED_TYPES).
    types: int
    # Per column after the account's: (section or None for the core, part, its columns).
    parts: list[tuple[str | None, str, tuple[str, ...]]] = field(default_factory=list)


# The statement of the sections registered, composed on the first reading.
_statement: list[_Statement] = []


async def _composed() -> _Statement:
    if _statement:
        return _statement[0]
    named: list[tuple[str | None, str, str, bool]] = [
        (None, part, sql, False) for part, sql in repository.CORE_PARTS.items()
    ]
    for name, section in _sections.items():
        named += [(name, part, sql, section.staff_only) for part, sql in section.parts.items()]
    parts, types = [], set(repository.NESTED_TYPES)
    for section_name, part, sql, _ in named:
        columns = await repository.part_columns(sql)
        parts.append((section_name, part, tuple(name for name, _ in columns)))
        types |= {kind for _, kind in columns if not kind.startswith("pg_catalog.record")}
    statement = _Statement(
        repository.detail_sql(sorted(types), [(sql, staff) for _, _, sql, staff in named]),
        len(types),
        parts,
    )
    _statement[:] = [statement]
    return statement


async def read_detail(actor: Principal, account_id: Any, read_at: datetime) -> AccountRead | None:
    """The account's detail as `actor` may see it, read at `read_at`; None if there is no
    such account or it is not the reader's to see."""
    statement = await _composed()
    row = await repository.read_detail(
        statement.sql,
        {
            "account": account_id,
            "visible": _visible(actor),
            "whole": debtors.reads_whole_person(actor),
            "staff": actor.role != Role.CLIENT,
            "read_at": read_at,
            "agency_tz": get_settings().agency_timezone,
        },
    )
    if row is None or not actor.may_see_client(row["client_id"]):
        return None
    return detail_of(actor, row, statement, read_at)


def _visible(actor: Principal) -> list[Any] | None:
    visible = actor.visible_clients()
    return None if visible is None else list(visible)


def detail_of(
    actor: Principal, row: asyncpg.Record, statement: _Statement, read_at: datetime
) -> AccountRead:
    values = list(row.values())
    width = len(values) - len(statement.parts)
    account = dict(list(row.items())[statement.types : width])
    core: dict[str, list[Row]] = {}
    by_section: dict[str, dict[str, list[Row]]] = {name: {} for name in _sections}
    for (section, part, columns), records in zip(statement.parts, values[width:], strict=True):
        rows: list[Row] = [dict(zip(columns, r, strict=True)) for r in records]
        (core if section is None else by_section[section])[part] = rows
    sections = {
        name: section.read(DetailReading(actor, account, read_at, by_section[name]))
        for name, section in _sections.items()
    }
    debtor = core["debtor"][0]
    blocks = sorted(core["blocks"], key=lambda b: SEVERITY.index(Block(b["kind"])))
    return read_as(
        AccountRead,
        account,
        account_id=account["id"],
        debtor=debtors.debtor_of(
            actor, account, debtor, core["profiles"], core["phones"], core["learned"]
        ),
        status_history=[read_as(StatusChangeRead, h) for h in core["history"]],
        validation_state=validation_state(
            account["validation_period_ends_on"],
            read_at,
            returned_on=account["validation_notice_returned_on"],
        ),
        blocks=[block_read(b) for b in blocks],
        disputed=account["disputed_since"] is not None,
        sections=sections,
    )


def block_read(row: Row) -> BlockRead:
    return read_as(
        BlockRead,
        row,
        block_id=row["id"],
        evidence=None if row["evidence"] is None else json.loads(row["evidence"]),
    )
