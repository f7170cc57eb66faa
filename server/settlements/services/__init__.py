"""The settlements use cases, a module per use case. Each owns its transactions; the
imports between them run one way:

    idempotency, visible       (no other service)
    promises                   (no other service)
    offers                     (visible)
    payments                   (idempotency, visible, offers, promises)
    reversals                  (idempotency, payments)
    financial_rows             (payments, reversals, offers)
    reporting                  (payments)

Every money movement on an account runs in one transaction that first locks the account
row (placements' `lock_account`), so concurrent payments apply one after another and the
balance is exact; the movement, the balance, any status it causes and the audit lines
commit together or not at all.
"""
