"""Account status actions: which action moves an account from which status to which.

Each change is explicit, with a reason, a channel and a received date, and audited.
A dispute stops collection of that debt until verification is recorded (12 CFR 1006.34);
a written cease moves the account to `cease_communication`, while an oral "stop calling"
closes the telephone for the person and leaves the status alone (it is not a cease under
15 U.S.C. 1692c(c), which requires writing).
"""

from __future__ import annotations

from enum import StrEnum

from server.auth.principal import Role


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DISPUTED = "disputed"
    CEASE_COMMUNICATION = "cease_communication"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    ATTORNEY_REPRESENTED = "attorney_represented"
    RECALLED = "recalled"
    PAID_IN_FULL = "paid_in_full"
    SETTLED_IN_FULL = "settled_in_full"
    CLOSED = "closed"


class StatusAction(StrEnum):
    RECALL = "recall"
    DISPUTE = "dispute"
    VERIFICATION = "verification"
    CEASE = "cease"
    STATUS = "status"


class Channel(StrEnum):
    ORAL = "oral"
    WRITTEN = "written"
    ELECTRONIC = "electronic"


# No longer the agency's to collect: nothing but a reversal (settlements) reopens these.
FINISHED = frozenset(
    {
        AccountStatus.RECALLED,
        AccountStatus.PAID_IN_FULL,
        AccountStatus.SETTLED_IN_FULL,
        AccountStatus.CLOSED,
    }
)
OPEN = frozenset(AccountStatus) - FINISHED

# Targets of the generic `status` action, and the statuses each may come from.
STATUS_TARGETS: dict[AccountStatus, frozenset[AccountStatus]] = {
    AccountStatus.BANKRUPTCY: OPEN - {AccountStatus.BANKRUPTCY},
    AccountStatus.DECEASED: OPEN - {AccountStatus.DECEASED},
    AccountStatus.ATTORNEY_REPRESENTED: OPEN - {AccountStatus.ATTORNEY_REPRESENTED},
    AccountStatus.CLOSED: frozenset(AccountStatus) - {AccountStatus.CLOSED, AccountStatus.RECALLED},
    # A dismissed bankruptcy or an attorney who withdrew returns the account to work.
    AccountStatus.ACTIVE: frozenset({AccountStatus.BANKRUPTCY, AccountStatus.ATTORNEY_REPRESENTED}),
}


class TransitionRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def next_status(
    action: StatusAction,
    current: AccountStatus,
    *,
    channel: Channel | None = None,
    target: AccountStatus | None = None,
) -> AccountStatus:
    """The status `action` leads to from `current` (the same status for an oral cease),
    or TransitionRefused saying why not."""
    if action == StatusAction.RECALL:
        if current == AccountStatus.RECALLED:
            raise TransitionRefused("the account is already recalled")
        return AccountStatus.RECALLED
    if action == StatusAction.DISPUTE:
        if current != AccountStatus.ACTIVE:
            raise TransitionRefused(f"only an active account can be disputed, not {current}")
        return AccountStatus.DISPUTED
    if action == StatusAction.VERIFICATION:
        if current != AccountStatus.DISPUTED:
            raise TransitionRefused(f"verification answers a dispute; the account is {current}")
        return AccountStatus.ACTIVE
    if action == StatusAction.CEASE:
        if current in FINISHED:
            raise TransitionRefused(f"the account is {current}")
        if channel == Channel.ORAL:
            return current
        return AccountStatus.CEASE_COMMUNICATION
    if target is None:
        raise TransitionRefused("status is required")
    allowed_from = STATUS_TARGETS.get(target)
    if allowed_from is None:
        raise TransitionRefused(f"{target} is not set by a status action")
    if current not in allowed_from:
        raise TransitionRefused(f"an account that is {current} cannot become {target}")
    return target


# Who may take each action: a client recalls its own accounts; the agency's people record
# what consumers tell them.
ACTION_ROLES = {
    StatusAction.RECALL: {Role.ADMIN, Role.SUPERVISOR, Role.CLIENT},
    StatusAction.DISPUTE: {Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR},
    StatusAction.VERIFICATION: {Role.ADMIN, Role.SUPERVISOR},
    StatusAction.CEASE: {Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR},
    StatusAction.STATUS: {Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR},
}
# Actions whose channel decides what they do (a written cease, an oral one) or must be on
# record (how the dispute came in).
CHANNEL_REQUIRED = {StatusAction.DISPUTE, StatusAction.CEASE}
