"""Loading a placement file: stream its stored chunks, parse and normalize the rows, and
merge them into debtors and accounts in batches.

Restartable: each batch commits with the line it ends on, so a worker killed mid-file is
replaced and the file resumes after the last committed batch, neither doubling rows nor
flagging its own rows as duplicates. Only one worker loads a placement at a time (a
session advisory lock, released by PostgreSQL if the worker dies).

Pipelined: parsing and normalizing (Python, CPU) run in a thread while the previous batch
is merged by PostgreSQL, so the two cores work at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from server.accounts import service as accounts
from server.audit import service as audit
from server.auth.principal import SYSTEM
from server.clients import service as clients
from server.clients.column_map import (
    FileKind,
    HeaderLayout,
    HeaderMismatch,
    column_map_for,
    resolve_header,
)
from server.kit import clock, db
from server.kit.client_notices import tell_client
from server.kit.keyring import ssn_hash_key
from server.kit.logging import get_logger
from server.kit.settings import get_settings
from server.placements import failures, merge_repository, repository
from server.placements.csv_stream import BadRecord, FileRejected, RecordReader
from server.placements.file_changes import (
    NORMALIZERS,
    ChangeNormalizer,
    FinancialRow,
    Staged,
    financial_normalizer,
    maintenance_transitions,
)
from server.placements.normalize import NewBusinessNormalizer
from server.placements.plausibility import BalanceFacts, hold_reason
from server.placements.row_owners import required_row_owner
from server.placements.rows import AccountRow, NormalizeContext, RejectedRow, RowError

log = get_logger("server.placements.ingest")


# Rows per committed batch of a financial file, at most: its rows are applied one
# transaction each, so a batch is only where the counts and errors commit, and what a
# restarted worker looks over again (rows already applied are found and skipped).
FINANCIAL_BATCH_ROWS = 500


def _identity(row: AccountRow) -> str:
    """Who a new row's person is within a batch, for creating one debtor per person."""
    if row.ssn_hash:
        return "ssn:" + row.ssn_hash
    if row.date_of_birth:
        return "|".join(
            (
                "nd",
                (row.first_name or "").casefold(),
                row.last_name.casefold(),
                row.date_of_birth.isoformat(),
                row.zip5,
                (row.address_line1 or "").casefold(),
            )
        )
    return f"line:{row.line}"


def staging_record(row: AccountRow) -> tuple[Any, ...]:
    phones: dict[str, tuple[str, list[str]]] = {}
    for phone in row.phones:
        phones.setdefault(phone.kind, (phone.e164, list(phone.time_zones)))
    home = phones.get("home", (None, None))
    mobile = phones.get("mobile", (None, None))
    work = phones.get("work", (None, None))
    item = row.itemization
    return (
        row.line, row.client_account_number, row.first_name, row.last_name,
        row.date_of_birth, row.ssn_last4, row.ssn_hash, row.address_line1, row.address_line2,
        row.city, row.state, row.zip5, row.time_zone, row.email, row.original_creditor,
        row.principal_cents, row.interest_cents, row.fees_cents, row.delinquency_date,
        row.charge_off_date, row.last_payment_date, row.statute_of_limitations_date,
        home[0], home[1], mobile[0], mobile[1], work[0], work[1],
        row.serviced_account_number,
        *((item.on, item.balance_cents, item.interest_cents, item.fees_cents,
           item.payments_cents) if item else _NO_ITEMIZATION),
        row.creditor_on_itemization_date, row.current_creditor, _identity(row),
    )  # fmt: skip


_NO_ITEMIZATION = (None, None, None, None, None)


# Where a staged new-business row holds its principal, interest and fees.
_AMOUNTS = tuple(
    merge_repository.STAGING_COLUMNS.index(name)
    for name in ("principal_cents", "interest_cents", "fees_cents")
)


@dataclass
class Batch:
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    # First line of each account number in the batch (casefolded): a later line with the
    # same number is a duplicate within the file, refused here rather than by a self-join
    # in SQL. Earlier batches' numbers are in the accounts table, checked there.
    first_lines: dict[str, int] = field(default_factory=dict)
    # A new debtor's id per person (identity) in the batch, so rows of one new person
    # share one debtor without SQL grouping the batch against itself.
    new_debtors: dict[str, uuid.UUID] = field(default_factory=dict)
    # (problem, "error" | "warning")
    problems: list[tuple[RowError, str]] = field(default_factory=list)
    # Our field -> the file's header, for the errors of rows applied after parsing.
    headers: dict[str, str] = field(default_factory=dict)
    records: int = 0
    rejected: int = 0
    # Lines of accepted rows that carry a warning: `rows_warned` counts the rows accepted
    # with a warning, so a row refused later (by the merge, or the row owner) leaves it,
    # counted once, as rejected (its warnings stay listed beside its errors).
    warned_lines: set[int] = field(default_factory=set)
    last_line: int = 0
    bytes_done: int = 0

    @property
    def size(self) -> int:
        return len(self.rows) + self.rejected


def row_normalizer(layout: HeaderLayout, ctx: NormalizeContext) -> ChangeNormalizer:
    """For any kind of file: a row becomes (staging record, warnings), or is refused."""
    if layout.column_map.kind == FileKind.FINANCIAL:
        owner = required_row_owner(FileKind.FINANCIAL)
        return financial_normalizer(layout, ctx.today, owner.text_widths)
    if layout.column_map.kind != FileKind.NEW_BUSINESS:
        return NORMALIZERS[layout.column_map.kind](layout)
    new_business = NewBusinessNormalizer(layout, ctx)

    def normalize(line: int, fields: list[str]) -> Staged | RejectedRow:
        result = new_business(line, fields)
        if isinstance(result, AccountRow):
            return staging_record(result), list(result.warnings)
        return result

    return normalize


class Parser:
    """The CPU side, run in a thread: records from chunks, rows from records."""

    def __init__(
        self, column_map: Any, ctx: NormalizeContext, resume_after_line: int, batch_rows: int
    ) -> None:
        self.reader = RecordReader()
        self.batch_rows = batch_rows
        # New-business records end with the person's identity; a new debtor id follows it.
        self.assigns_debtors = column_map.kind == FileKind.NEW_BUSINESS
        # A financial file may move one account many times; the others name each once.
        self.one_row_per_account = column_map.kind != FileKind.FINANCIAL
        self.column_map = column_map
        self.ctx = ctx
        self.resume_after_line = resume_after_line
        self.layout: HeaderLayout | None = None
        self.normalize: ChangeNormalizer | None = None

    def parse(self, chunk: bytes | None, batch: Batch) -> list[Batch]:
        """The chunk's records into `batch`, and into a new batch each time one is full
        (`batch_rows`); returns them in order, the last one still open."""
        batches = [batch]
        records = self.reader.feed(chunk) if chunk is not None else self.reader.finish()
        for line, fields in records:
            if self.layout is None:
                assert isinstance(fields, list)
                self.layout = resolve_header(fields, self.column_map)
                self.normalize = row_normalizer(self.layout, self.ctx)
                continue
            if line <= self.resume_after_line:
                continue
            if batch.size >= self.batch_rows:
                batch = Batch()
                batches.append(batch)
            batch.headers = self.layout.headers
            batch.records += 1
            batch.last_line = line
            if isinstance(fields, BadRecord):
                batch.rejected += 1
                batch.problems.append((RowError(line, "", "", fields.code, fields.reason), "error"))
                continue
            assert self.normalize is not None
            result = self.normalize(line, fields)
            if not isinstance(result, RejectedRow):
                record, warnings = result
                # Every kind's record has the account number second.
                first = (
                    batch.first_lines.setdefault(record[1].casefold(), line)
                    if self.one_row_per_account
                    else line
                )
                if first != line:
                    reason = f"account number already on line {first}"
                    error = RowError(line, "", "client_account_number", "duplicate_in_file", reason)
                    batch.rejected += 1
                    batch.problems.append((error, "error"))
                    batch.problems.extend((w, "warning") for w in warnings)
                    continue
                if self.assigns_debtors:
                    record = (*record, batch.new_debtors.setdefault(record[-1], uuid.uuid4()))
                batch.rows.append(record)
                if warnings:
                    batch.warned_lines.add(line)
                    batch.problems.extend((w, "warning") for w in warnings)
            else:
                batch.rejected += 1
                batch.problems.extend((e, "error") for e in result.errors)
                batch.problems.extend((w, "warning") for w in result.warnings)
        return batches


def _error_records(
    placement: Any, problems: list[tuple[RowError, str]], merge_rejects: list[Any]
) -> list[tuple[Any, ...]]:
    placement_id, client_id = placement["id"], placement["client_id"]
    records = [
        (
            uuid.uuid4(),
            placement_id,
            client_id,
            p.line,
            p.column or None,
            p.field or None,
            p.code,
            p.reason,
            severity,
        )
        for p, severity in problems
    ]
    records.extend(
        (
            uuid.uuid4(),
            placement_id,
            client_id,
            r["line"],
            None,
            "client_account_number",
            r["reject_code"],
            r["reject_reason"],
            "error",
        )
        for r in merge_rejects
    )
    return records


async def _merge(conn: db.Connection, placement: Any, rows: list[tuple[Any, ...]]) -> list[Any]:
    """Stage the batch's rows for the file's kind and apply them; returns the refused."""
    kind = FileKind(placement["kind"])
    if kind == FileKind.RECALL:
        await merge_repository.stage(conn, "staging_recall", rows, merge_repository.RECALL_COLUMNS)
        rejects, recalled = await merge_repository.merge_recall(
            conn, client_id=placement["client_id"], actor_id=placement["created_by"]
        )
        # In this transaction: the accounts' live offers end with them (settlements).
        await accounts.accounts_left_collection(conn, recalled, "recalled", placement["created_by"])
        return rejects
    if kind == FileKind.MAINTENANCE:
        await merge_repository.stage(
            conn, "staging_maintenance", rows, merge_repository.MAINTENANCE_COLUMNS
        )
        return await merge_repository.merge_maintenance(
            conn,
            client_id=placement["client_id"],
            placement_id=placement["id"],
            actor_id=placement["created_by"],
            transitions=maintenance_transitions(),
        )
    await merge_repository.stage(conn, "staging_account", rows, merge_repository.STAGING_COLUMNS)
    return await merge_repository.merge_batch(
        conn,
        client_id=placement["client_id"],
        placement_id=placement["id"],
        tier=placement["tier"],
        fee_rate_bps=placement["fee_rate_bps"],
    )


async def _apply_rows(placement: Any, batch: Batch) -> None:
    """Apply a financial batch's rows through the service that owns them; the rows it
    refuses join the batch's problems, counted as rejected."""
    owner = required_row_owner(FileKind(placement["kind"]))
    rows = [FinancialRow._make(row) for row in batch.rows]
    refused = await owner.apply(placement["id"], placement["client_id"], rows)
    refused_lines = {error.line for error in refused}
    batch.rows = [row for row in batch.rows if row[0] not in refused_lines]
    batch.warned_lines -= refused_lines
    batch.rejected += len(refused_lines)
    batch.problems.extend(
        (dataclasses.replace(error, column=batch.headers.get(error.field, "")), "error")
        for error in refused
    )


async def _write_batch(conn: db.Connection, placement: Any, batch: Batch) -> None:
    if placement["kind"] == FileKind.FINANCIAL and batch.rows:
        await _apply_rows(placement, batch)
    async with conn.transaction():
        merge_rejects = (
            await _merge(conn, placement, batch.rows)
            if batch.rows and placement["kind"] != FileKind.FINANCIAL
            else []
        )
        refused_lines = {r["line"] for r in merge_rejects}
        balance_placed = (
            sum(sum(r[i] for i in _AMOUNTS) for r in batch.rows if r[0] not in refused_lines)
            if placement["kind"] == FileKind.NEW_BUSINESS
            else 0
        )
        errors = _error_records(placement, batch.problems, merge_rejects)
        if errors:
            await repository.insert_errors(conn, errors)
        await repository.count_batch(
            conn,
            placement["id"],
            read=batch.records,
            accepted=len(batch.rows) - len(merge_rejects),
            rejected=batch.rejected + len(merge_rejects),
            warned=len(batch.warned_lines - refused_lines),
            last_line=batch.last_line,
            bytes_done=batch.bytes_done,
            balance_placed_cents=balance_placed,
        )
    await repository.refresh_statistics(conn)


async def load_placement(placement_id: UUID) -> str:
    """Load (or resume loading) one placement; returns its final status, or "busy" when
    another worker holds it."""
    engine = db.engine()
    assert engine.pool is not None
    async with engine.pool.acquire() as reader, engine.pool.acquire() as writer:
        if not await repository.try_lock_loading(reader, placement_id):
            return "busy"
        try:
            return await _load(reader, writer, placement_id)
        except Exception as error:
            if failures.is_passing(error) or not await _failed_again(placement_id, error):
                raise
            return FAILED
        finally:
            await repository.unlock_loading(reader, placement_id)


FAILED = "failed"
# The recall's reason on the accounts of a new-business placement that failed.
FAILED_RECALL_REASON = "the placement failed to load"


async def _failed_again(placement_id: UUID, error: Exception) -> bool:
    """After the loader raised: the placement `failed`, its new accounts recalled, when
    the previous attempt failed the same way (see `failures`); else this failure noted
    for the next attempt to compare with. True when it is failed."""
    async with db.transaction():
        found = await repository.loading_failure(placement_id)
        if found is None or found["status"] != "validating":
            return False
        failure = failures.signature(error, found["last_line_done"])
        log.warning(
            "placements.ingest.attempt_failed", placement_id=str(placement_id), failure=failure
        )
        if found["last_failure"] != failure:
            await repository.note_failure(placement_id, failure)
            return False
        kind = FileKind(found["kind"])
        recalled: list[UUID] = []
        if kind is FileKind.NEW_BUSINESS:
            recalled = await repository.recall_placement_accounts(
                placement_id, FAILED_RECALL_REASON, None, clock.now()
            )
            await accounts.accounts_left_collection(None, recalled, "recalled", None)
        reason = failures.failure_reason(kind, found["last_line_done"], len(recalled))
        await repository.fail_placement(placement_id, reason)
        await audit.record(
            SYSTEM, "placement.failed", "placement", placement_id, client_id=found["client_id"],
            after={"status": FAILED, "failure": failure, "accounts_recalled": len(recalled)},
        )  # fmt: skip
    log.error("placements.ingest.failed", placement_id=str(placement_id), failure=failure)
    return True


async def _load(reader: db.Connection, writer: db.Connection, placement_id: UUID) -> str:
    placement = await repository.start_loading(reader, placement_id)
    if placement is None:
        return await repository.placement_status(reader, placement_id) or "missing"
    client = await clients.client_settings(placement["client_id"])
    settings = get_settings()
    ctx = NormalizeContext(
        clock.agency_today(), ssn_hash_key(settings), client.get("itemization_date")
    )
    kind = FileKind(placement["kind"])
    # Rows per committed batch (a setting): large enough that a batch's fixed costs vanish,
    # small enough that its rows sit comfortably in memory and a restart redoes little.
    batch_rows = settings.ingest_batch_rows
    if kind == FileKind.FINANCIAL:
        batch_rows = min(batch_rows, FINANCIAL_BATCH_ROWS)
    parser = Parser(column_map_for(client, kind), ctx, placement["last_line_done"], batch_rows)
    await merge_repository.prepare_staging(writer)
    batch = Batch()
    consumed = 0
    writing: asyncio.Task[None] | None = None
    try:
        for seq in range(placement["chunk_count"] + 1):
            chunk = None
            if seq < placement["chunk_count"]:
                chunk = await repository.chunk(reader, placement_id, seq)
                consumed += len(chunk)
            *full, batch = await asyncio.to_thread(parser.parse, chunk, batch)
            if chunk is None or batch.size >= batch_rows:
                full.append(batch)
                batch = Batch()
            for done in full:
                # Progress is counted in whole chunks: a batch ends somewhere in this one.
                done.bytes_done = consumed
                if writing is not None:
                    await writing
                writing = asyncio.create_task(_write_batch(writer, placement, done))
        if writing is not None:
            await writing
    except (FileRejected, HeaderMismatch) as refused:
        if writing is not None:
            await asyncio.gather(writing, return_exceptions=True)
        # The rejection and its notice in one transaction: a crash between two commits
        # would leave a rejected file its client is never told of.
        async with db.transaction(), db.connection() as conn:
            await repository.reject_file(conn, placement_id, str(refused))
            await tell_client(
                placement["client_id"], "file_rejected", 1, f"/portal/placements/{placement_id}"
            )
        return "rejected"
    except BaseException:
        if writing is not None:
            await asyncio.gather(writing, return_exceptions=True)
        raise
    async with db.transaction():
        held = None
        if kind == FileKind.NEW_BUSINESS:
            facts = await repository.balance_facts(placement["client_id"], placement_id)
            held = hold_reason(BalanceFacts(**dict(facts)), client["max_plausible_balance_cents"])
        status = "awaiting_confirmation" if held else "loaded"
        finished = await repository.finish_loading(placement_id, status, held)
        await audit.record(
            SYSTEM, "placement.held" if held else "placement.loaded", "placement", placement_id,
            client_id=placement["client_id"], after={**dict(finished), "held_reason": held},
        )  # fmt: skip
        if not held:
            await tell_client(
                placement["client_id"], "file_loaded", 1, f"/portal/placements/{placement_id}"
            )
    log.info(f"placements.ingest.{status}", placement_id=str(placement_id), **dict(finished))
    return status
