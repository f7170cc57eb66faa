"""What a collector must say, and must not, on the call about to be placed: the cues the
account screen and the account detail show beside the verdict. Pure: the call context's
service hands in what is known of the debt and the communications so far.
"""

from __future__ import annotations

from dataclasses import dataclass

# 12 CFR 1006.34(a)(1)(i)(B): the validation notice goes out within five days after the
# initial communication, when it was not that communication itself.
VALIDATION_NOTICE_DAYS = 5


@dataclass(frozen=True, slots=True)
class Cue:
    code: str
    sentence: str
    citation: str


RIGHT_PARTY = Cue(
    "verify_right_party",
    "Confirm you are speaking with the consumer before you say anything about the debt;"
    " to anyone else, say only who you are and that you will call back.",
    "15 U.S.C. 1692c(b); 12 CFR 1006.6(d)",
)
INITIAL_DISCLOSURE = Cue(
    "initial_disclosure",
    "This is the initial communication: say that you are a debt collector attempting to"
    " collect a debt and that any information obtained will be used for that purpose.",
    "15 U.S.C. 1692e(11); 12 CFR 1006.18(e)(1)",
)
LATER_DISCLOSURE = Cue(
    "subsequent_disclosure",
    "Say that the call is from a debt collector.",
    "15 U.S.C. 1692e(11); 12 CFR 1006.18(e)(2)",
)
NOTICE_DUE = Cue(
    "validation_notice_due",
    "No validation notice has been mailed: if you speak with the consumer, the notice must"
    f" be mailed within {VALIDATION_NOTICE_DAYS} days after this call.",
    "15 U.S.C. 1692g(a); 12 CFR 1006.34(a)(1)",
)
TIME_BARRED = Cue(
    "time_barred",
    "The debt is time-barred: never threaten or mention a lawsuit.",
    "12 CFR 1006.26(b)",
)


def call_cues(*, communicated_before: bool, notice_mailed: bool, time_barred: bool) -> list[Cue]:
    """The cues for the next call. A mailed validation notice is a communication, so a
    call after it is never the initial one."""
    initial = not communicated_before and not notice_mailed
    found = [RIGHT_PARTY, INITIAL_DISCLOSURE if initial else LATER_DISCLOSURE]
    if not notice_mailed:
        found.append(NOTICE_DUE)
    if time_barred:
        found.append(TIME_BARRED)
    return found
