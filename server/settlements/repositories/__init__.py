"""Every query of settlements, a module per use case: idempotency keys, payments and the
balance ledger, reversals and balance adjustments, offers, what promises to pay are judged
by, a client's financial-file rows, the dashboard's figures.

A package of modules named as the `services/` modules they serve, rather than one
`repository.py`: each service module imports the queries of its own name, so a query is
found beside its use case and each module stays one that can be read at a sitting. A use
case may read another's queries (a payment claims an idempotency key) by importing that
module; the modules never import one another.
"""
