from server.kit.errors import Conflict


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class PaymentAlreadyReversed(Conflict):
    code = "payment_already_reversed"


class OfferExists(Conflict):
    code = "offer_exists"


class OfferNotPending(Conflict):
    code = "offer_not_pending"


class OfferNotPayable(Conflict):
    code = "offer_not_payable"


class AccountNotSettleable(Conflict):
    code = "account_not_settleable"
