"""State call caps beyond Regulation F's: data, one row a state."""

from __future__ import annotations

from collections.abc import Mapping

from server.queues.rules.frequency import REG_F_CAP, FrequencyCap

# 209 CMR 18.16(1)(d): per debt, at most 2 calls in each 7-day period to the debtor's
# residence, cellular or other personal number, and 2 in each 30-day period to any other
# number. Counted over rolling local days like Regulation F (the conservative reading of
# "period"). 209 CMR 18.16(1) forbids these calls only when made "without the prior
# consent of the consumer given directly to the debt collector": a call under such consent
# (the same consent that takes it out of the Regulation F count) is not counted here either.
STATE_CALL_CAPS: Mapping[str, tuple[FrequencyCap, ...]] = {
    "MA": (
        FrequencyCap(max_calls=2, days=7, phone_kinds=frozenset({"home", "mobile"})),
        FrequencyCap(max_calls=2, days=30, phone_kinds=frozenset({"work", "other"})),
    ),
}


def caps_for(*address_states: str | None) -> tuple[tuple[str, FrequencyCap], ...]:
    """Every frequency cap on calls to a consumer living at an address in any of
    `address_states` (every address the agency holds for them: the stricter state's caps
    bind wherever the consumer may be), each with the prefix of its rule code: Regulation
    F's everywhere, and each state's own."""
    states = dict.fromkeys((s or "").upper() for s in address_states)
    return (
        ("reg_f", REG_F_CAP),
        *((f"state_{s.lower()}", c) for s in states for c in STATE_CALL_CAPS.get(s, ())),
    )
