"""Federal and state telephone contact rules: may this account be called on this number now?

Pure: no database, no clock. The caller passes the moment, the account, the person with
their numbers and wishes, and the calls about the account; `evaluator.check_call` answers
before a call is placed and `evaluator.violations_of` judges a call already recorded. Both
read one evaluator, so a call the check allows can never be recorded as a breach of the
same rules.

    facts       what the rules read: statuses, outcomes, the person, numbers, calls
    hours       calling hours, stated inconvenient times, the zones a consumer may be in
    frequency   Regulation F's frequency: 7 calls in 7 days, the 7 days after a
                conversation, direct prior consent
    state_caps  state frequency caps beyond Regulation F (Massachusetts)
    evaluator   `check_call` / `violations_of`, which read them all

Sources: FDCPA 15 U.S.C. 1692c, Regulation F (12 CFR part 1006) and its official
interpretations, and Massachusetts 209 CMR 18.16. State frequency caps are data
(`state_caps.STATE_CALL_CAPS`): another state is a row, not code.
"""
