"""The consumer's contact preferences over the API: a number learned on a call, a number's
status and its employer's ban, stated inconvenient times, a refused medium. Each binds
every account of the person (any client's), is audited with its channel and received
date, writes nothing when refused, and the pre-call check refuses right after it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from server.kit import clock
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, sign_in

NEW_YORK = ZoneInfo("America/New_York")
MOBILE = "+16145550131"
WORK = "+16145550132"


def next_wednesday(hour: int, minute: int = 0, zone: ZoneInfo = NEW_YORK) -> datetime:
    """A Wednesday at least two days from now, at a wall-clock time of `zone`."""
    day = clock.now().astimezone(zone).date() + timedelta(days=2)
    day += timedelta(days=(2 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


async def check(caller: Caller, account_id: str, **body: Any) -> dict[str, Any]:
    response = await caller.post(f"/api/v1/accounts/{account_id}/call-check", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def audited(owner_db: asyncpg.Connection, action: str) -> list[dict[str, Any]]:
    import json

    rows = await owner_db.fetch(
        "SELECT after::text AS after FROM audit_event WHERE action = $1 ORDER BY occurred_at",
        action,
    )
    return [json.loads(r["after"]) for r in rows]


@pytest.fixture
async def person(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount
) -> dict[str, Any]:
    """One person with accounts of two clients: A's with a mobile and a work number,
    B's (placed later) with none of its own; A's collector, A's and B's client users."""
    a = await make_client()
    b = await make_client()
    account = await make_account(a["client_id"], phones=[("mobile", MOBILE), ("work", WORK)])
    other = await make_account(b["client_id"], debtor_id=account["debtor_id"], phones=[])
    return {
        "a": a, "b": b, "account": account, "other": other,
        "collector": await make_user("collector", client_ids=[a["client_id"]]),
        "b_collector": await make_user("collector", client_ids=[b["client_id"]]),
        "a_user": await make_user("client", client_id=a["client_id"]),
        "b_user": await make_user("client", client_id=b["client_id"]),
    }  # fmt: skip


def phone_of(detail: dict[str, Any], e164: str) -> dict[str, Any]:
    [found] = [p for p in detail["debtor"]["phones"] if p["e164"] == e164]
    return found


async def patch_phone(person: dict[str, Any], e164: str, **body: Any) -> httpx.Response:
    """Change the account's number `e164` as A's collector."""
    account_id = person["account"]["id"]
    detail = (await person["collector"].get(f"/api/v1/accounts/{account_id}")).json()
    phone_id = phone_of(detail, e164)["phone_id"]
    return await person["collector"].patch(
        f"/api/v1/accounts/{account_id}/phones/{phone_id}", json=body
    )


# --- a number learned on a call ---------------------------------------------------------


async def test_a_learned_number_is_the_accounts_clients_and_rings_where_the_loader_says(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    account_id = person["account"]["id"]
    url = f"/api/v1/accounts/{account_id}/phones"
    received = (clock.now() - timedelta(hours=2)).isoformat()
    added = await person["collector"].post(
        url, json={"number": "(312) 939-7362", "kind": "home", "channel": "oral",
                   "received_at": received},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    phone = phone_of(added.json(), "+13129397362")
    assert (phone["kind"], phone["status"], phone["client_id"], phone["learned_on_account_id"]) == (
        "home", "valid", person["a"]["client_id"], account_id,
    )  # fmt: skip
    zones = await owner_db.fetchval(
        "SELECT time_zones FROM debtor_phone WHERE e164 = '+13129397362'"
    )
    assert zones == ["America/Chicago"]
    # A's user sees it on A's account; B's user, on B's account of the same person, not.
    mine = (await person["a_user"].get(f"/api/v1/accounts/{account_id}")).json()
    assert "+13129397362" in {p["e164"] for p in mine["debtor"]["phones"]}
    theirs = await person["b_user"].get(f"/api/v1/accounts/{person['other']['id']}")
    assert theirs.status_code == 200
    assert "+13129397362" not in theirs.text
    [event] = await audited(owner_db, "debtor.phone.add")
    assert (event["e164"], event["channel"], event["account_id"]) == (
        "+13129397362", "oral", account_id,
    )  # fmt: skip
    assert datetime.fromisoformat(event["received_at"]) == datetime.fromisoformat(received)
    # The same number again, written another way: 409, nothing more written.
    again = await person["collector"].post(
        url, json={"number": "+1 312.939.7362", "kind": "mobile", "channel": "oral"}
    )
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "phone_exists"
    count = await owner_db.fetchval("SELECT count(*) FROM debtor_phone WHERE e164 = '+13129397362'")
    assert count == 1
    assert len(await audited(owner_db, "debtor.phone.add")) == 1


async def test_a_number_learned_on_another_clients_account_starts_with_its_status(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    await owner_db.execute(
        "UPDATE debtor_phone SET status = 'do_not_call', status_since = now() WHERE e164 = $1",
        MOBILE,
    )
    added = await person["b_collector"].post(
        f"/api/v1/accounts/{person['other']['id']}/phones",
        json={"number": MOBILE, "kind": "mobile", "channel": "oral"},
    )
    assert added.status_code == 201, added.text
    # Staff see each supplier's row: A's as it was, B's learned one with A's status.
    rows = {p["client_id"]: p for p in added.json()["debtor"]["phones"] if p["e164"] == MOBILE}
    assert set(rows) == {person["a"]["client_id"], person["b"]["client_id"]}
    assert {p["status"] for p in rows.values()} == {"do_not_call"}
    assert rows[person["b"]["client_id"]]["learned_on_account_id"] == person["other"]["id"]
    # B's user now sees the number on B's account.
    theirs = (await person["b_user"].get(f"/api/v1/accounts/{person['other']['id']}")).json()
    assert [p["e164"] for p in theirs["debtor"]["phones"]] == [MOBILE]


async def test_a_refused_number_names_every_wrong_field_and_writes_nothing(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    before = await owner_db.fetchval("SELECT count(*) FROM debtor_phone")
    late = (clock.now() + timedelta(hours=1)).isoformat()
    answers = {}
    # The body's shape is read first (each wrong field named), then what it means.
    for kind, channel in (("fax", "pigeon"), ("home", "oral")):
        refused = await person["collector"].post(
            f"/api/v1/accounts/{person['account']['id']}/phones",
            json={"number": "(312) 939-73", "kind": kind, "channel": channel,
                  "received_at": late},
        )  # fmt: skip
        assert refused.status_code == 422, refused.text
        answers[kind] = {d["field"]: d["reason"] for d in refused.json()["error"]["details"]}
    assert list(answers["fax"]) == ["kind", "channel"]
    assert "must be one of: mobile, home, work, other" in answers["fax"]["kind"]
    details = answers["home"]
    assert list(details) == ["number", "received_at"]
    assert "not a phone number" in details["number"]
    assert "future" in details["received_at"]
    assert await owner_db.fetchval("SELECT count(*) FROM debtor_phone") == before
    assert await audited(owner_db, "debtor.phone.add") == []


# --- a number's status and the employer's ban ---------------------------------------------


async def test_a_number_marked_do_not_call_is_refused_at_once_on_every_account_of_the_person(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    account_id = person["account"]["id"]
    changed = await patch_phone(
        person, MOBILE, status="do_not_call", reason="asked on the phone", channel="oral"
    )
    assert changed.status_code == 200, changed.text
    assert phone_of(changed.json(), MOBILE)["status"] == "do_not_call"
    assert phone_of(changed.json(), MOBILE)["status_since"] is not None
    answer = await check(person["collector"], account_id, phone=MOBILE)
    assert not answer["allowed"]
    assert "phone_do_not_call" in answer["reasons"]
    # B's account of the same person: the number binds there too.
    other = await check(person["b_collector"], person["other"]["id"], phone=MOBILE)
    assert "phone_do_not_call" in other["reasons"]
    [event] = await audited(owner_db, "debtor.phone.change")
    assert (event["status"], event["channel"], event["reason"]) == (
        "do_not_call", "oral", "asked on the phone",
    )  # fmt: skip


async def test_a_work_number_whose_employer_forbids_calls_is_refused(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    account_id = person["account"]["id"]
    changed = await patch_phone(
        person, WORK, employer_forbids_calls=True, reason="the employer wrote",
        channel="written", received_at=(clock.now() - timedelta(days=3)).isoformat(),
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert phone_of(changed.json(), WORK)["employer_forbids_calls"] is True
    answer = await check(person["collector"], account_id, phone=WORK)
    assert "phone_employer_forbids" in answer["reasons"]
    # The best number is still the mobile, the consumer's own.
    assert (await check(person["collector"], account_id))["phone"] == MOBILE


async def test_only_a_work_numbers_employer_forbids_calls(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    body = {"employer_forbids_calls": True, "reason": "said so", "channel": "oral"}
    refused = await patch_phone(person, MOBILE, **body)
    assert refused.status_code == 422, refused.text
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["employer_forbids_calls"]
    added = await person["collector"].post(
        f"/api/v1/accounts/{person['account']['id']}/phones",
        json={"number": "312 939 7362", "kind": "home", "channel": "oral",
              "employer_forbids_calls": True},
    )  # fmt: skip
    assert added.status_code == 422, added.text
    assert await owner_db.fetchval(
        "SELECT count(*) FROM debtor_phone WHERE employer_forbids_calls"
    ) == 0  # fmt: skip
    assert await audited(owner_db, "debtor.phone.change") == []


async def test_a_number_wrong_then_valid_again(person: dict[str, Any]) -> None:
    account_id = person["account"]["id"]
    wrong = await patch_phone(
        person, MOBILE, status="wrong_number", reason="a stranger answered", channel="oral"
    )
    assert wrong.status_code == 200, wrong.text
    answer = await check(person["collector"], account_id, phone=MOBILE)
    assert "phone_wrong_number" in answer["reasons"]
    restored = await patch_phone(
        person, MOBILE, status="valid", reason="consumer confirmed it", channel="written"
    )
    assert restored.status_code == 200, restored.text
    answer = await check(person["collector"], account_id, phone=MOBILE)
    assert "phone_wrong_number" not in answer["reasons"]


async def test_another_persons_number_is_not_found_and_a_bad_change_names_its_fields(
    person: dict[str, Any], make_account: MakeAccount, owner_db: asyncpg.Connection
) -> None:
    stranger = await make_account(person["a"]["client_id"])
    stranger_phone = await owner_db.fetchval(
        "SELECT id FROM debtor_phone WHERE debtor_id = $1", stranger["debtor_id"]
    )
    url = f"/api/v1/accounts/{person['account']['id']}/phones"
    body = {"status": "do_not_call", "reason": "x", "channel": "oral"}
    missing = await person["collector"].patch(f"{url}/{stranger_phone}", json=body)
    assert missing.status_code == 404, missing.text
    mobile = await owner_db.fetchval("SELECT id FROM debtor_phone WHERE e164 = $1", MOBILE)
    refused = await person["collector"].patch(
        f"{url}/{mobile}",
        json={"reason": "  ", "channel": "oral", "received_at": "1969-12-31T23:00:00Z"},
    )
    assert refused.status_code == 422, refused.text
    fields = [d["field"] for d in refused.json()["error"]["details"]]
    assert fields == ["reason", "received_at", "status"]
    assert await audited(owner_db, "debtor.phone.change") == []
    assert await owner_db.fetchval("SELECT status FROM debtor_phone WHERE id = $1", mobile) == (
        "valid"
    )


# --- stated inconvenient times ------------------------------------------------------------


async def test_stated_inconvenient_times_are_refused_at_once_and_cleared_by_an_empty_list(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    account_id = person["account"]["id"]
    url = f"/api/v1/accounts/{account_id}/inconvenient-times"
    wednesday_noon = next_wednesday(12)
    assert (await check(person["collector"], account_id, at=wednesday_noon.isoformat()))["allowed"]
    put = await person["collector"].request(
        "PUT", url,
        json={"times": [{"days": ["wed", "mon"], "from": "11:00", "to": "13:00"},
                        {"days": ["fri"], "from": "20:00", "to": "09:00",
                         "zone": "America/Los_Angeles"}],
              "channel": "oral"},
    )  # fmt: skip
    assert put.status_code == 200, put.text
    assert put.json()["debtor"]["inconvenient_times"] == [
        {"weekdays": [0, 2], "start": "11:00", "end": "13:00"},
        {"weekdays": [4], "start": "20:00", "end": "09:00", "zone": "America/Los_Angeles"},
    ]
    answer = await check(person["collector"], account_id, at=wednesday_noon.isoformat())
    assert (answer["allowed"], answer["rule"]) == (False, "inconvenient_time")
    # Binds B's account of the same person.
    other = await check(person["b_collector"], person["other"]["id"], at=wednesday_noon.isoformat())
    assert other["rule"] == "inconvenient_time"
    # The Friday night was stated on the Los Angeles clock (20:00-09:00 there): 11:30 on
    # Saturday in New York is 08:30 in Los Angeles, inside it; callable at 09:00 there.
    saturday = (wednesday_noon + timedelta(days=3)).replace(hour=11, minute=30)
    answer = await check(person["collector"], account_id, at=saturday.isoformat())
    assert answer["rule"] == "inconvenient_time"
    assert answer["next_callable_at"] == (
        saturday.replace(hour=12, minute=0)
        .astimezone(ZoneInfo("UTC"))
        .isoformat()
        .replace("+00:00", "Z")
    )
    [event] = await audited(owner_db, "debtor.inconvenient_times")
    assert (event["channel"], len(event["inconvenient_times"])) == ("oral", 2)
    cleared = await person["collector"].request(
        "PUT", url, json={"times": [], "channel": "written"}
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["debtor"]["inconvenient_times"] == []
    assert (await check(person["collector"], account_id, at=wednesday_noon.isoformat()))["allowed"]


async def test_wrong_inconvenient_times_name_every_field_and_write_nothing(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    url = f"/api/v1/accounts/{person['account']['id']}/inconvenient-times"
    refused = await person["collector"].request(
        "PUT", url,
        json={"times": [{"days": ["wed"], "from": "11:00", "to": "11:00"},
                        {"days": ["mon"], "from": "09:00", "to": "10:00", "zone": "Mars/Base"}],
              "channel": "oral", "received_at": (clock.now() + timedelta(days=1)).isoformat()},
    )  # fmt: skip
    assert refused.status_code == 422, refused.text
    fields = [d["field"] for d in refused.json()["error"]["details"]]
    assert fields == ["times[0].to", "times[1].zone", "received_at"]
    shape = await person["collector"].request(
        "PUT", url,
        json={"times": [{"days": ["someday"], "from": "9:00", "to": "25:00"}], "channel": "oral"},
    )  # fmt: skip
    assert shape.status_code == 422, shape.text
    fields = [d["field"] for d in shape.json()["error"]["details"]]
    assert fields == ["times[0].days", "times[0].from", "times[0].to"]
    stored = await owner_db.fetchval(
        "SELECT inconvenient_times::text FROM debtor WHERE id = $1", person["account"]["debtor_id"]
    )
    assert stored == "[]"
    assert await audited(owner_db, "debtor.inconvenient_times") == []


# --- refused media -------------------------------------------------------------------------


async def test_a_refused_telephone_stops_every_call_to_the_person(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    account_id = person["account"]["id"]
    refused = await person["collector"].post(
        f"/api/v1/accounts/{account_id}/media-refusals",
        json={"medium": "telephone", "channel": "written",
              "received_at": (clock.now() - timedelta(days=1)).isoformat()},
    )  # fmt: skip
    assert refused.status_code == 201, refused.text
    debtor = refused.json()["debtor"]
    assert debtor["no_telephone"] is True
    [telephone] = debtor["refused_media"]
    assert (telephone["medium"], telephone["channel"]) == ("telephone", "written")
    assert telephone["since"] == debtor["no_telephone_since"]
    for caller, account in ((person["collector"], account_id),
                            (person["b_collector"], person["other"]["id"])):  # fmt: skip
        answer = await check(caller, account, phone=MOBILE)
        assert (answer["allowed"], answer["rule"]) == (False, "consumer_no_telephone")
    [event] = await audited(owner_db, "debtor.medium_refusal")
    assert (event["medium"], event["channel"]) == ("telephone", "written")


async def test_refused_email_and_text_are_kept_on_the_person_from_the_earliest_request(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    url = f"/api/v1/accounts/{person['account']['id']}/media-refusals"
    first = (clock.now() - timedelta(days=4)).replace(microsecond=0)
    for medium, received in (("email", first), ("text", first + timedelta(days=1)),
                             ("email", first + timedelta(days=2))):  # fmt: skip
        made = await person["collector"].post(
            url,
            json={"medium": medium, "channel": "electronic", "received_at": received.isoformat()},
        )
        assert made.status_code == 201, made.text
    # B's user reads its own account of the person: the consumer's requests are the
    # person's, and bind every client.
    detail = (await person["b_user"].get(f"/api/v1/accounts/{person['other']['id']}")).json()
    refused = {r["medium"]: r for r in detail["debtor"]["refused_media"]}
    assert set(refused) == {"email", "text"}
    assert datetime.fromisoformat(refused["email"]["since"]) == first
    assert detail["debtor"]["no_telephone"] is False
    assert (await check(person["collector"], person["account"]["id"], phone=MOBILE))[
        "rule"
    ] != "consumer_no_telephone"
    assert len(await audited(owner_db, "debtor.medium_refusal")) == 3


async def test_a_refusal_in_the_future_or_of_an_unknown_medium_is_refused(
    person: dict[str, Any], owner_db: asyncpg.Connection
) -> None:
    url = f"/api/v1/accounts/{person['account']['id']}/media-refusals"
    soon = (clock.now() + timedelta(minutes=2)).isoformat()
    assert (await person["collector"].post(
        url, json={"medium": "text", "channel": "oral", "received_at": soon}
    )).status_code == 201  # fmt: skip
    late = (clock.now() + timedelta(minutes=30)).isoformat()
    for body, field in (({"medium": "pigeon", "channel": "oral"}, "medium"),
                        ({"medium": "email", "channel": "oral", "received_at": late},
                         "received_at")):  # fmt: skip
        refused = await person["collector"].post(url, json=body)
        assert refused.status_code == 422, refused.text
        assert [d["field"] for d in refused.json()["error"]["details"]] == [field]
    assert len(await audited(owner_db, "debtor.medium_refusal")) == 1


# --- who may ---------------------------------------------------------------------------------


def _writes(account_id: str, phone_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/api/v1/accounts/{account_id}"
    return [
        ("POST", f"{base}/phones", {"number": "3129397362", "kind": "home", "channel": "oral"}),
        ("PATCH", f"{base}/phones/{phone_id}",
         {"status": "do_not_call", "reason": "asked", "channel": "oral"}),
        ("PUT", f"{base}/inconvenient-times", {"times": [], "channel": "oral"}),
        ("POST", f"{base}/media-refusals", {"medium": "email", "channel": "oral"}),
        ("PUT", f"{base}/address",
         {"address_line1": "1 Main St", "city": "Denver", "zip": "80202", "channel": "oral"}),
    ]  # fmt: skip


async def test_clients_may_not_and_others_portfolios_do_not_find_the_account(
    person: dict[str, Any], admin: Caller, make_user: MakeUser, owner_db: asyncpg.Connection,
    http: httpx.AsyncClient,
) -> None:  # fmt: skip
    account_id = person["account"]["id"]
    phone_id = str(await owner_db.fetchval("SELECT id FROM debtor_phone WHERE e164 = $1", MOBILE))
    token = await admin.post(
        f"/api/v1/clients/{person['a']['client_id']}/tokens", json={"name": "uploads"}
    )
    a_token = Caller(http, token.json()["token"], role="client")
    for method, url, body in _writes(account_id, phone_id):
        for caller in (person["a_user"], a_token, person["b_user"]):
            answer = await caller.request(method, url, json=body)
            assert answer.status_code == 403, (method, url, answer.text)
        answer = await person["b_collector"].request(method, url, json=body)
        assert answer.status_code == 404, (method, url, answer.text)
    assert await owner_db.fetchval("SELECT count(*) FROM audit_event WHERE entity = 'debtor'") == 0
    supervisor = await make_user("supervisor")
    for method, url, body in _writes(account_id, phone_id):
        for caller in (supervisor, admin):
            answer = await caller.request(method, url, json=body)
            assert answer.status_code in (200, 201, 409), (method, url, answer.text)


# --- the next account --------------------------------------------------------------------


async def _signed_in(http: httpx.AsyncClient, user: Caller) -> Caller:
    return Caller(http, await sign_in(http, user.username or ""), user.user_id, user.username)


@pytest.mark.parametrize("preference", ["none", "inconvenient_time", "telephone"])
async def test_next_deals_no_one_the_preferences_refuse(
    person: dict[str, Any],
    admin: Caller,
    http: httpx.AsyncClient,
    preference: str,
    owner_db: asyncpg.Connection,
) -> None:
    """Wednesday 14:00 in New York: the person is callable, unless they said Wednesday
    afternoons are inconvenient or refused the telephone."""
    account_id = person["account"]["id"]
    if preference == "inconvenient_time":
        stated = await person["collector"].request(
            "PUT", f"/api/v1/accounts/{account_id}/inconvenient-times",
            json={"times": [{"days": ["wed"], "from": "13:00", "to": "15:00"}],
                  "channel": "oral"},
        )  # fmt: skip
        assert stated.status_code == 200, stated.text
    if preference == "telephone":
        refused = await person["collector"].post(
            f"/api/v1/accounts/{account_id}/media-refusals",
            json={"medium": "telephone", "channel": "oral"},
        )
        assert refused.status_code == 201, refused.text
    with clock.running_from(next_wednesday(14)):
        dispatcher = await _signed_in(http, admin)
        ran = await dispatcher.post("/api/v1/dispatch/run")
        assert ran.status_code == 200, ran.text
        # The person is dealt to A's collector or B's (they owe both clients), if at all.
        dealt = await owner_db.fetchval(
            "SELECT collector_id::text FROM queue_item WHERE debtor_id = $1",
            UUID(person["account"]["debtor_id"]),
        )
        who = (
            person["b_collector"] if dealt == person["b_collector"].user_id else person["collector"]
        )
        collector = await _signed_in(http, who)
        body = (await collector.post("/api/v1/queues/me/next")).json()
    if preference == "none":
        assert body["account"] is not None, body
        assert body["account"]["account_id"] in {account_id, person["other"]["id"]}
        return
    assert body["account"] is None
    if preference == "inconvenient_time":
        assert body["blocked"] == [{"rule": "inconvenient_time", "people": 1}]
