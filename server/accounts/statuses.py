"""Account status actions: what each action does from each status, given the blocks in
force.

A block is something that stops collection until its own action lifts it, and blocks
stack: entering bankruptcy, attorney representation or death keeps every earlier block
(a dispute, a cease…), and the account is `active` only when none remains. The status the
API and the portal show is the most severe block in force (or `active`), unless the
account has left collection (recalled, paid, settled, closed), which its status says.

Each block is lifted only by its own action, never by a chain of others:
- a dispute by verification (12 CFR 1006.34, 15 U.S.C. 1692g(b): no collection of a
  disputed debt until verification is mailed), recorded by a supervisor or admin;
- a written cease (15 U.S.C. 1692c(c)) by the consumer's written consent to be contacted
  again, recorded by a supervisor or admin with the document's reference and date;
- bankruptcy (the automatic stay, 11 U.S.C. 362) and attorney representation (1692c(a)(2))
  by the status action `active` naming it (a dismissed case, an attorney who withdrew),
  recorded by a supervisor or admin;
- death by nothing: the account can only be closed or recalled.
A recall is undone by nothing either: the client places the debt again as a new account.
An oral "stop calling" closes the telephone for the person and leaves the status alone
(it is not a cease under 1692c(c), which requires writing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


class Block(StrEnum):
    """A block on collection; its value is the status it shows while it is the most
    severe in force."""

    DISPUTED = "disputed"
    CEASE_COMMUNICATION = "cease_communication"
    ATTORNEY_REPRESENTED = "attorney_represented"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"


# Most severe first: the status an account shows is the first of these in force. Death
# ends every claim on the person; a court's stay binds before any wish of theirs; an
# attorney means no communication with the consumer at all; a cease ends communication
# but for the notices 1692c(c) allows; a dispute stops collection until verification.
SEVERITY: tuple[Block, ...] = (
    Block.DECEASED,
    Block.BANKRUPTCY,
    Block.ATTORNEY_REPRESENTED,
    Block.CEASE_COMMUNICATION,
    Block.DISPUTED,
)
assert set(SEVERITY) == set(Block)
BLOCK_STATUSES = frozenset(AccountStatus(b.value) for b in Block)


class StatusAction(StrEnum):
    RECALL = "recall"
    DISPUTE = "dispute"
    VERIFICATION = "verification"
    CEASE = "cease"
    # The consumer's written consent to be contacted again: lifts a written cease.
    CONSENT = "consent"
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
# Statuses an account leaves collection by, through a status action: its live offers end
# with it (settlements withdraws them).
LEFT_COLLECTION = frozenset({AccountStatus.RECALLED, AccountStatus.CLOSED})

# Blocks the status action adds, by the status it names.
ADDED_BY_STATUS = frozenset({Block.BANKRUPTCY, Block.DECEASED, Block.ATTORNEY_REPRESENTED})
# Blocks the status action `active` lifts (a dismissed bankruptcy, an attorney withdrawn).
LIFTED_BY_STATUS = frozenset({Block.BANKRUPTCY, Block.ATTORNEY_REPRESENTED})
# Targets of the generic `status` action.
STATUS_TARGETS = frozenset(
    {*(AccountStatus(b.value) for b in ADDED_BY_STATUS), AccountStatus.CLOSED, AccountStatus.ACTIVE}
)


def open_status(blocks: Iterable[Block]) -> AccountStatus:
    """The status of an account still in collection with `blocks` in force."""
    held = set(blocks)
    for block in SEVERITY:
        if block in held:
            return AccountStatus(block.value)
    return AccountStatus.ACTIVE


class TransitionRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    """What an action does: the status it leaves, the block it adds or lifts."""

    status: AccountStatus
    adds: Block | None = None
    lifts: Block | None = None


def _refuse_finished(current: AccountStatus) -> None:
    if current in FINISHED:
        raise TransitionRefused(f"the account is {current}")


def _add(current: AccountStatus, blocks: frozenset[Block], block: Block) -> Outcome:
    _refuse_finished(current)
    if block in blocks:
        raise TransitionRefused(f"a {block.value} block is already in force")
    return Outcome(open_status(blocks | {block}), adds=block)


def _lift(current: AccountStatus, blocks: frozenset[Block], block: Block, by: str) -> Outcome:
    _refuse_finished(current)
    if block not in blocks:
        raise TransitionRefused(f"{by} lifts a {block.value} block; none is in force")
    return Outcome(open_status(blocks - {block}), lifts=block)


def decide(
    action: StatusAction,
    current: AccountStatus,
    blocks: Iterable[Block] = (),
    *,
    channel: Channel | None = None,
    target: AccountStatus | None = None,
    lifts: Block | None = None,
    blocking: bool = True,
) -> Outcome:
    """What `action` does to an account that is `current` with `blocks` in force, or
    TransitionRefused saying why not. A dispute adds the dispute block only when it is
    `blocking` (timely and in writing: server.disputes.effects decides); any other, or one
    received while a dispute block is already in force, leaves the status as it is (the
    dispute is still recorded, and the debt is marked disputed)."""
    held = frozenset(blocks)
    if action == StatusAction.RECALL:
        if current == AccountStatus.RECALLED:
            raise TransitionRefused("the account is already recalled")
        return Outcome(AccountStatus.RECALLED)
    if action == StatusAction.DISPUTE:
        _refuse_finished(current)
        if not blocking or Block.DISPUTED in held:
            return Outcome(current)
        return _add(current, held, Block.DISPUTED)
    if action == StatusAction.VERIFICATION:
        return _lift(current, held, Block.DISPUTED, "verification")
    if action == StatusAction.CEASE:
        _refuse_finished(current)
        if channel == Channel.ORAL:
            return Outcome(current)
        return _add(current, held, Block.CEASE_COMMUNICATION)
    if action == StatusAction.CONSENT:
        return _lift(current, held, Block.CEASE_COMMUNICATION, "written consent")
    if target is None:
        raise TransitionRefused("status is required")
    if target not in STATUS_TARGETS:
        raise TransitionRefused(f"{target} is not set by a status action")
    if target == AccountStatus.CLOSED:
        if current in (AccountStatus.CLOSED, AccountStatus.RECALLED):
            raise TransitionRefused(f"an account that is {current} cannot become closed")
        return Outcome(AccountStatus.CLOSED)
    if target == AccountStatus.ACTIVE:
        block = lifts or (Block(current.value) if current in BLOCK_STATUSES else None)
        if block is None or block not in LIFTED_BY_STATUS:
            names = " or ".join(sorted(b.value for b in LIFTED_BY_STATUS))
            raise TransitionRefused(
                f"the status action active lifts a {names} block, not {block or current}"
            )
        return _lift(current, held, block, "the status action active")
    return _add(current, held, Block(target.value))


# Who may take each action: a client recalls its own accounts; the agency's people record
# what consumers tell them; only a supervisor or admin lifts a block (DESIGN.md).
ACTION_ROLES = {
    StatusAction.RECALL: frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CLIENT}),
    StatusAction.DISPUTE: frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR}),
    StatusAction.VERIFICATION: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    StatusAction.CEASE: frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR}),
    StatusAction.CONSENT: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    StatusAction.STATUS: frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR}),
}
LIFT_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


def refusal_for_role(
    role: Role, action: StatusAction, target: AccountStatus | None = None
) -> str | None:
    """Why `role` may not take `action` (with `target`), or None if it may."""
    if role not in ACTION_ROLES[action]:
        return f"your role may not record a {action}"
    if action == StatusAction.STATUS and target == AccountStatus.ACTIVE and role not in LIFT_ROLES:
        return "only a supervisor or admin lifts a block"
    return None


# Actions whose channel decides what they do (a written cease, an oral one) or must be on
# record (how the dispute came in).
CHANNEL_REQUIRED = {StatusAction.DISPUTE, StatusAction.CEASE}
