from server.kit.errors import Conflict


class StatusTransitionRefused(Conflict):
    """The action cannot move the account from its status (see `statuses.next_status`)."""

    code = "status_transition_refused"


class AccountLeftCollection(Conflict):
    """The account was recalled or closed: nothing is written off it any more."""

    code = "account_left_collection"
