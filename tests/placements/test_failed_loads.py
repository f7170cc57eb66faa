"""A loader that fails the same way twice: the placement is `failed` with a reason the
client reads, the sweep leaves it, and the same bytes sent again make a new placement.

The failure is real: the database refuses a row in the merge (a check constraint this
test adds to the debtor table, as a column too narrow once did), the way a defect the
row checks do not foresee would stop a file."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg
import pytest

from server.clients.column_map import FileKind
from server.placements import failures, ingest
from server.placements import repository as placements_repository
from tests.fixtures import Caller, MakeClient, MakeUser
from tests.placements.test_ingest import csv_bytes, good_row, upload

REFUSED = "Refusedname"


@asynccontextmanager
async def merge_refusing_a_name(owner_db: asyncpg.Connection) -> AsyncIterator[None]:
    """While it lasts, the merge raises on a row whose last name is REFUSED."""
    await owner_db.execute(
        "ALTER TABLE debtor_profile ADD CONSTRAINT test_refuses_a_name"
        f" CHECK (last_name <> '{REFUSED}')"
    )
    try:
        yield
    finally:
        await owner_db.execute(
            "ALTER TABLE debtor_profile DROP CONSTRAINT IF EXISTS test_refuses_a_name"
        )


@pytest.fixture
async def merge_refuses_a_name(owner_db: asyncpg.Connection) -> AsyncIterator[None]:
    async with merge_refusing_a_name(owner_db):
        yield


async def fail_twice(owner_db: asyncpg.Connection, placement_id: UUID) -> None:
    """Load the placement until it is failed (a live worker may make some of the
    attempts: this one then finds it busy and looks again)."""
    deadline = time.monotonic() + 60
    while (
        await owner_db.fetchval("SELECT status FROM placement WHERE id = $1", placement_id)
        != "failed"
    ):
        assert time.monotonic() < deadline, "the placement never failed"
        with contextlib.suppress(asyncpg.CheckViolationError):
            if await ingest.load_placement(placement_id) == "busy":
                await asyncio.sleep(0.05)


async def _status(owner_db: asyncpg.Connection, placement_id: UUID) -> asyncpg.Record:
    found = await owner_db.fetchrow(
        "SELECT status, failure_reason, last_failure, attempts FROM placement WHERE id = $1",
        placement_id,
    )
    assert found is not None
    return found


async def test_a_loader_failing_the_same_way_twice_fails_the_placement_for_good(
    admin: Caller,
    make_client: MakeClient,
    make_user: MakeUser,
    owner_db: asyncpg.Connection,
    merge_refuses_a_name: None,
) -> None:
    client = await make_client()
    client_user = await make_user("client", client_id=client["client_id"])
    # The tests load 2,000 rows a batch: the first batch loads, the second fails.
    rows = [good_row(i) for i in range(2000)] + [good_row(2000, last_name=REFUSED)]
    body = csv_bytes(rows)
    response = await upload(client_user, client["client_id"], body)
    assert response.status_code == 202, response.text
    placement_id = UUID(response.json()["placement_id"])

    with pytest.raises(asyncpg.CheckViolationError):
        await ingest.load_placement(placement_id)
    first = await _status(owner_db, placement_id)
    assert (first["status"], first["failure_reason"]) == ("validating", None)
    assert first["last_failure"] == "CheckViolationError after line 2001"
    # Once is not yet for good: the sweep tries it again.
    assert placement_id in await placements_repository.pending_placements()

    assert await ingest.load_placement(placement_id) == "failed"
    second = await _status(owner_db, placement_id)
    assert (second["status"], second["attempts"]) == ("failed", 2)
    assert placement_id not in await placements_repository.pending_placements()
    assert await ingest.load_placement(placement_id) == "failed"
    assert (await _status(owner_db, placement_id))["attempts"] == 2

    read = (await client_user.get(f"/api/v1/placements/{placement_id}")).json()
    assert read["status"] == "failed"
    assert read["finished_at"] is not None
    assert read["failure_reason"] == (
        "Loading stopped twice at the same place, in the rows after line 2001, on an error "
        "of the agency's own, not of a row of the file. The 2,000 accounts it had loaded are "
        "recalled and will not be worked. Please tell the agency; the same file may then be "
        "sent again."
    )
    # The first batch's accounts are never worked, and do not stand in a new file's way.
    statuses = await owner_db.fetch(
        "SELECT status, count(*) FROM account WHERE placement_id = $1 GROUP BY status",
        placement_id,
    )
    assert [tuple(r) for r in statuses] == [("recalled", 2000)]
    audited = await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'placement.failed' AND entity_id = $1",
        str(placement_id),
    )
    assert audited == 1

    # The same bytes again, once the defect is mended: a new placement, loaded whole.
    await owner_db.execute("ALTER TABLE debtor_profile DROP CONSTRAINT test_refuses_a_name")
    again = await upload(client_user, client["client_id"], body)
    assert again.status_code == 202, again.text
    new_id = UUID(again.json()["placement_id"])
    assert new_id != placement_id
    assert await ingest.load_placement(new_id) == "loaded"
    loaded = (await client_user.get(f"/api/v1/placements/{new_id}")).json()
    assert (loaded["rows_accepted"], loaded["rows_rejected"]) == (2001, 0)
    assert loaded["failure_reason"] is None
    # The failed one stays beside it, with its reason; a third sending is the loaded one.
    listed = (await client_user.get("/api/v1/placements")).json()["items"]
    assert {(p["placement_id"], p["status"]) for p in listed} == {
        (str(placement_id), "failed"),
        (str(new_id), "loaded"),
    }
    third = await upload(client_user, client["client_id"], body)
    assert (third.status_code, third.json()["placement_id"]) == (200, str(new_id))


async def test_a_failure_once_is_tried_again_and_may_load(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection,
    merge_refuses_a_name: None,
) -> None:  # fmt: skip
    client = await make_client()
    response = await upload(admin, client["client_id"], csv_bytes([good_row(1, last_name=REFUSED)]))
    placement_id = UUID(response.json()["placement_id"])
    with pytest.raises(asyncpg.CheckViolationError):
        await ingest.load_placement(placement_id)
    await owner_db.execute("ALTER TABLE debtor_profile DROP CONSTRAINT test_refuses_a_name")
    assert await ingest.load_placement(placement_id) == "loaded"
    assert (await _status(owner_db, placement_id))["status"] == "loaded"


def test_errors_of_the_moment_never_count_and_the_way_is_the_kind_and_the_line():
    assert failures.is_passing(ConnectionResetError())
    assert failures.is_passing(asyncpg.exceptions.ConnectionDoesNotExistError())
    assert failures.is_passing(asyncpg.exceptions.AdminShutdownError())
    assert failures.is_passing(asyncpg.exceptions.DeadlockDetectedError())
    assert not failures.is_passing(asyncpg.exceptions.StringDataRightTruncationError())
    assert not failures.is_passing(ValueError())
    error = asyncpg.exceptions.UniqueViolationError("Key (name)=(Maria Lopez) already exists")
    # The message, which quotes values, is kept nowhere.
    assert failures.signature(error, 25001) == "UniqueViolationError after line 25001"


@pytest.mark.parametrize(
    ("kind", "line", "recalled", "said"),
    [
        (FileKind.NEW_BUSINESS, 1, 0, "before any row was loaded, on an error"),
        (FileKind.NEW_BUSINESS, 2001, 1, "The 1 account it had loaded is recalled"),
        (FileKind.MAINTENANCE, 2001, 0, "The rows up to line 2001 were applied."),
        (FileKind.FINANCIAL, 1, 0, "of the file. Please tell the agency"),
    ],
)
def test_the_reason_says_what_became_of_the_rows(
    kind: FileKind, line: int, recalled: int, said: str
):
    assert said in failures.failure_reason(kind, line, recalled)
