"""The letters that answer a dispute: each is also the letter's kind in the pipeline."""

VERIFICATION = "verification"
# 1692g(a)(5), 1006.38(c): the name and address of the original creditor.
ORIGINAL_CREDITOR = "original_creditor"
# 1006.38(d)(2)(ii): the dispute is duplicative of one already answered.
DUPLICATE_DISPUTE = "duplicate_dispute"
KINDS = (VERIFICATION, ORIGINAL_CREDITOR, DUPLICATE_DISPUTE)
