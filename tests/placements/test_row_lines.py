"""Where a row's problems are reported and how they are counted: a record whose quoted
field spans lines is reported at the line it starts on, and a row with a warning counts
as warned only when it is accepted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import Caller, MakeClient
from tests.placements.test_ingest import csv_bytes, good_row, upload_and_load

pytestmark = pytest.mark.clock


async def _problems(admin: Caller, placement: dict[str, Any]) -> list[tuple[int, str, str]]:
    found = await admin.get(f"/api/v1/placements/{placement['placement_id']}/errors")
    return [(e["line"], e["field"], e["severity"]) for e in found.json()["items"]]


async def test_a_record_spanning_lines_is_reported_at_its_first_line(
    admin: Caller, make_client: MakeClient
) -> None:
    client = await make_client()
    rows = [
        # Line 2, and lines 3 and 4 inside its quoted field.
        good_row(1, address_line2="Suite 5\nBack entrance\nRing twice", zip="00000"),
        good_row(2, principal_cents="n/a"),  # line 5
        good_row(3, address_line2="Apt 1\r\nRear"),  # lines 6 and 7
        good_row(4, delinquency_date="2024-02-30"),  # line 8
    ]
    placement = await upload_and_load(admin, client["client_id"], csv_bytes(rows))
    assert (placement["rows_read"], placement["rows_accepted"]) == (4, 1)
    assert await _problems(admin, placement) == [
        (2, "zip", "error"),
        (5, "principal_cents", "error"),
        (8, "delinquency_date", "error"),
    ]


async def test_warnings_count_the_rows_accepted_with_a_warning(
    admin: Caller, make_client: MakeClient
) -> None:
    client = await make_client()
    await upload_and_load(admin, client["client_id"], csv_bytes([good_row(1)]))
    rows = [
        good_row(1, phone_mobile="123", ssn=""),  # refused by the merge: already placed
        good_row(2, phone_mobile="123"),  # accepted, with a warning
        good_row(3, phone_mobile="123", zip="00000"),  # refused, with a warning
        good_row(4),
        good_row(2, phone_mobile="123", ssn=""),  # refused: line 3 has its number already
    ]
    placement = await upload_and_load(admin, client["client_id"], csv_bytes(rows))
    counts = (placement["rows_accepted"], placement["rows_rejected"], placement["rows_warned"])
    assert counts == (2, 3, 1)
    problems = await _problems(admin, placement)
    # Every warning is listed, also those of refused rows.
    assert sorted(p for p in problems if p[2] == "warning") == [
        (2, "phone_mobile", "warning"),
        (3, "phone_mobile", "warning"),
        (4, "phone_mobile", "warning"),
        (6, "phone_mobile", "warning"),
    ]
