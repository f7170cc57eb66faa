"""Start-up wiring: what a lower domain needs from a higher one, filled in by the
composition root (the app, the worker, the demo) rather than by importing a module for
its side effects.

Placements applies a financial file's rows through settlements, and its account detail
shows settlements' `money` section; placements declares the registries, settlements
provides the functions, and this fills one with the other.
"""

from __future__ import annotations

from server.placements import service as placements
from server.placements.column_map import FileKind
from server.settlements.services import financial_rows, reporting


def register_settlements() -> None:
    placements.row_owners[FileKind.FINANCIAL] = placements.RowOwner(
        apply=financial_rows.apply_financial_rows,
        acknowledgement_columns=financial_rows.ACKNOWLEDGEMENT_COLUMNS,
        acknowledged=financial_rows.financial_acknowledgement,
    )
    placements.account_sections["money"] = reporting.money_section
