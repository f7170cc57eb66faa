"""The row errors' cursor (`line:id`) is refused as a cursor, never a 500, when it names
a line no file can have."""

from __future__ import annotations

import pytest

from tests.fixtures import Caller, MakeClient
from tests.placements.test_ingest import csv_bytes, good_row, upload_and_load


@pytest.mark.parametrize(
    "cursor",
    [
        "2147483648:00000000-0000-4000-8000-000000000001",
        "-1:00000000-0000-4000-8000-000000000001",
        "99999999999999999999:00000000-0000-4000-8000-000000000001",
        "3:not-an-id",
        "no colon",
    ],
)
async def test_a_cursor_past_any_line_is_an_invalid_cursor(
    admin: Caller, make_client: MakeClient, cursor: str
) -> None:
    client = await make_client()
    placement = await upload_and_load(admin, client["client_id"], csv_bytes([good_row(1)]))
    response = await admin.get(
        f"/api/v1/placements/{placement['placement_id']}/errors", params={"cursor": cursor}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_cursor"
