from server.errors import Conflict


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class PaymentAlreadyReversed(Conflict):
    code = "payment_already_reversed"
