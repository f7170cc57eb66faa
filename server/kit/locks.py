"""Every advisory-lock id the server takes, in one place, so no two uses share one.

PostgreSQL's advisory locks have one key space per database: a second module choosing
the same id would make unrelated work wait for each other (or, with the try-lock form,
skip work it should do). One-key locks use the id alone; two-key locks use the id as the
class and the hash of a row's id as the second key (`hashtext(id::text)`), so rows whose
ids hash alike only wait for each other. The values spell their owner in ASCII.
"""

from __future__ import annotations

# `agency migrate`: two hosts deploying at once run the migrations one after the other.
MIGRATION = 0x61676E6379  # "agncy"

# The loader's session lock on a placement (second key: its id) for as long as it works
# on it; a worker that dies loses its connection and with it the lock.
PLACEMENT = 0x706C61  # "pla"

# Ingests of different files may meet on the same person: matching and creating people
# is serialized across them, so two files never create one person twice.
DEBTOR_MERGE = 0x64656274  # "debt"

# Recording a call for a person (second key: the person's id): two calls recorded at once
# are each judged with the other in the history.
PERSON_CALLS = 0x63616C6C  # "call"

# The dispatcher's refill: two at once would deal the same people twice (the unique
# constraint would catch it, but as an error).
DISPATCH = 0x64697370  # "disp"

# Remittance (second key: a client's id, or REMITTANCE_BATCH for the batch run itself).
REMITTANCE = 0x72656D  # "rem"
REMITTANCE_BATCH = 0

# Letters: making a batch and importing a vendor's return file, one at a time, so a
# letter is never batched twice nor one mailing recorded twice.
LETTERS = 0x6C6574  # "let"

ALL_ONE_KEY = (MIGRATION, DEBTOR_MERGE, DISPATCH, LETTERS)
ALL_CLASSES = (PLACEMENT, PERSON_CALLS, REMITTANCE)
