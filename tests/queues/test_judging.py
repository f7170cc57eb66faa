"""Shaping stored rows for the contact rules: order of recording never matters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from server.queues.judging import StoredCall, account_at, best_phone, consumer_of, effective_at

T0 = datetime(2025, 6, 2, 14, tzinfo=UTC)
ACCOUNT = uuid4()


def change(hours: int, from_status: str, to_status: str, recorded: int) -> dict[str, Any]:
    return {"received_at": T0 + timedelta(hours=hours), "from_status": from_status,
            "to_status": to_status, "created_at": T0 + timedelta(days=recorded)}  # fmt: skip


def test_the_status_at_a_moment_follows_the_date_received_not_recorded() -> None:
    # Disputed at +1h but recorded after the verification at +5h.
    changes = [change(5, "disputed", "active", 1), change(1, "active", "disputed", 2)]
    assert account_at(ACCOUNT, "active", changes, T0).status == "active"
    during = account_at(ACCOUNT, "active", changes, T0 + timedelta(hours=2))
    assert (during.status, during.status_since) == ("disputed", T0 + timedelta(hours=1))
    assert account_at(ACCOUNT, "active", changes, T0 + timedelta(hours=6)).status == "active"


def test_an_action_that_kept_the_status_is_no_change() -> None:
    changes = [change(1, "active", "disputed", 0), change(3, "active", "active", 0),
               change(5, "disputed", "active", 0)]  # fmt: skip
    assert account_at(ACCOUNT, "active", changes, T0 + timedelta(hours=4)).status == "disputed"


def test_without_changes_the_stored_status_always_held() -> None:
    state = account_at(ACCOUNT, "bankruptcy", [], T0)
    assert (state.status, state.status_since) == ("bankruptcy", None)


def _call(at: datetime, outcome: str, phone: str = "+16145550101") -> StoredCall:
    return StoredCall(uuid4(), uuid4(), uuid4(), phone, "outbound", at, 30, outcome,  # type: ignore[arg-type]
                      None, {ACCOUNT: uuid4()})  # fmt: skip


def test_a_number_is_wrong_from_the_earliest_call_that_found_it_out() -> None:
    phone = {"e164": "+16145550101", "kind": "mobile", "status": "wrong_number",
             "status_since": T0 + timedelta(days=2), "employer_forbids_calls": False,
             "time_zones": ["America/New_York"]}  # fmt: skip
    early = _call(T0, "wrong_number")
    who = consumer_of(address_zones=[], address_states=[], no_telephone=False,
                      no_telephone_since=None, inconvenient_times=[], phones=[phone],
                      calls=[_call(T0 + timedelta(days=2), "wrong_number"), early])  # fmt: skip
    assert who.phones[0].status_since == effective_at(T0, 30) > T0


def test_the_best_phone_is_a_valid_one_of_the_consumers_own() -> None:
    def p(e164: str, kind: str, status: str = "valid", forbids: bool = False) -> dict[str, Any]:
        return {"e164": e164, "kind": kind, "status": status, "employer_forbids_calls": forbids}

    assert (
        best_phone([p("+1w", "work"), p("+1h", "home"), p("+1m", "mobile", "wrong_number")])
        == "+1h"
    )
    assert best_phone([p("+1w", "work", forbids=True), p("+1o", "other")]) == "+1o"
    assert best_phone([p("+1m", "mobile", "do_not_call")]) is None
