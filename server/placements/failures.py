"""When a loader's error ends a placement: the rules, pure.

A row's problem is a row error and never stops a file. An exception in the loader is
ours, not the file's: a lost connection, a restarted database or a deadlock passes and
the next attempt (the sweep's, within a minute) goes on from the last committed batch.
One that happens again the same way, the same kind of error on the same batch, will
happen on every attempt: the placement is `failed` after the second, with a reason the
client can read, instead of being retried every minute for ever.

The reason and what is kept to compare attempts name the error's kind and the line the
file stopped after, never the error's message: PostgreSQL's messages quote the values
they refuse (names, account numbers), which are no business of the placement's record.
"""

from __future__ import annotations

import asyncpg

from server.clients.column_map import FileKind

# Errors of the moment, not of the file: another attempt may well succeed.
_PASSING = (
    OSError,  # the connection reset, refused or timed out
    asyncpg.InterfaceError,  # the connection closed under the loader
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # shutdown, cancelled, cannot connect now
    asyncpg.exceptions.TransactionRollbackError,  # deadlock, serialization failure
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
    asyncpg.exceptions.LockNotAvailableError,
)


def is_passing(error: BaseException) -> bool:
    """An error another attempt may not meet: never counted towards failing the file."""
    return isinstance(error, _PASSING)


def signature(error: BaseException, last_line_done: int) -> str:
    """The same way twice is the same kind of error with the file stopped at the same
    line (the restart point: the failing batch is the one after it)."""
    return f"{type(error).__name__} after line {last_line_done}"


def failure_reason(kind: FileKind, last_line_done: int, accounts_recalled: int) -> str:
    """What the client reads on the placement: what stopped, what became of the rows
    already loaded, and what to do."""
    where = (
        "before any row was loaded"
        if last_line_done <= 1
        else f"in the rows after line {last_line_done}"
    )
    stopped = (
        f"Loading stopped twice at the same place, {where}, on an error of the agency's "
        "own, not of a row of the file."
    )
    if kind is FileKind.NEW_BUSINESS:
        accounts = (
            "1 account it had loaded is"
            if accounts_recalled == 1
            else f"{accounts_recalled:,} accounts it had loaded are"
        )
        kept = f" The {accounts} recalled and will not be worked." if accounts_recalled else ""
    elif last_line_done > 1:
        kept = f" The rows up to line {last_line_done} were applied."
    else:
        kept = ""
    return f"{stopped}{kept} Please tell the agency; the same file may then be sent again."
