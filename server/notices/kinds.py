"""The kinds of notice a client user may receive, each switchable, and the words of each:
a count and what it counts, never anything about a consumer."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    STATEMENT_ISSUED = "statement_issued"
    OFFERS_AWAITING = "offers_awaiting"
    FILE_LOADED = "file_loaded"
    FILE_REJECTED = "file_rejected"
    VERIFICATION_REQUESTED = "verification_requested"
    VERIFICATION_DUE_SOON = "verification_due_soon"
    VERIFICATION_OVERDUE = "verification_overdue"
    MESSAGE = "message"


# What the settings page calls each kind, and what a notice of it says of `count` things:
# (label, one, many).
WORDS: dict[NoticeKind, tuple[str, str, str]] = {
    NoticeKind.STATEMENT_ISSUED: (
        "A remittance statement is issued",
        "A remittance statement has been issued",
        "{count} remittance statements have been issued",
    ),
    NoticeKind.OFFERS_AWAITING: (
        "Settlement offers await your decision",
        "A settlement offer awaits your decision",
        "{count} settlement offers await your decision",
    ),
    NoticeKind.FILE_LOADED: (
        "A file you placed is loaded",
        "A file you placed has been loaded",
        "{count} files you placed have been loaded",
    ),
    NoticeKind.FILE_REJECTED: (
        "A file you placed is rejected",
        "A file you placed was rejected",
        "{count} files you placed were rejected",
    ),
    NoticeKind.VERIFICATION_REQUESTED: (
        "The agency requests verification of a debt",
        "The agency requests verification of a debt",
        "The agency requests verification of {count} debts",
    ),
    NoticeKind.VERIFICATION_DUE_SOON: (
        "A verification request is due soon",
        "A verification request is due soon",
        "{count} verification requests are due soon",
    ),
    NoticeKind.VERIFICATION_OVERDUE: (
        "A verification request is overdue",
        "A verification request is overdue",
        "{count} verification requests are overdue",
    ),
    NoticeKind.MESSAGE: (
        "A message from the agency",
        "The agency has sent you a message",
        "The agency has sent you {count} messages",
    ),
}


def label(kind: NoticeKind) -> str:
    return WORDS[kind][0]


def sentence(kind: NoticeKind, count: int) -> str:
    _, one, many = WORDS[kind]
    return one if count == 1 else many.format(count=count)
