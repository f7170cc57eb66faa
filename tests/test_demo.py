"""`agency seed-demo`: what it makes must pass the same checks as anyone's input."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from server.demo import _demo_key
from server.kit.cards import contains_card_number


def test_demo_payment_keys_never_hold_a_card_number() -> None:
    # Its dashed groups 4111-1111-1111-1111 are a Luhn-valid test card number: as an id it
    # is an identifier, but a key made of its digits would hold a card number.
    card_like = UUID("41111111-1111-1111-1111-000000000000")
    assert contains_card_number(str(card_like).replace("-", " "))
    key = _demo_key("payment", card_like)
    assert not contains_card_number(key)
    assert not any(char.isdigit() for char in key)
    assert key == _demo_key("payment", card_like) != _demo_key("offer", card_like)


async def test_the_demo_makes_offers_in_every_state_broken_and_expired_ones_too(
    make_client: Any, make_account: Any, make_user: Any, owner_db: asyncpg.Connection
) -> None:
    from server.auth.service import principal_for_user
    from server.demo import _offers_in_every_state

    client = await make_client()
    for _ in range(12):
        await make_account(client["client_id"], principal_cents=200_000)
    collector = await make_user("collector", client_ids=[client["client_id"]])
    await _offers_in_every_state(
        await principal_for_user(UUID(collector.user_id)), UUID(client["client_id"])
    )
    statuses = dict(await owner_db.fetch("SELECT status, count(*) FROM offer GROUP BY status"))
    assert statuses == {
        "pending_client": 2, "pending_supervisor": 1, "accepted": 1, "rejected": 1,
        "withdrawn": 1, "fulfilled": 1, "broken": 1, "expired": 1,
    }  # fmt: skip
    # Broken after its first instalment was paid; the lapsed offers' reasons say why.
    reasons = dict(
        await owner_db.fetch(
            "SELECT status, closed_reason FROM offer WHERE status IN ('broken', 'expired')"
        )
    )
    assert reasons["broken"].endswith("was not paid within 5 days")
    assert reasons["expired"].startswith("not paid in full by ")
    assert await owner_db.fetchval("SELECT count(*) FROM payment WHERE offer_id IS NOT NULL") == 2


# Before its account was placed with the agency, nothing can have happened to it here.
_EVENTS_BEFORE_THEIR_ACCOUNT = {
    "calls": """
        SELECT count(*) FROM call c JOIN call_account ca ON ca.call_id = c.id
        JOIN account a ON a.id = ca.account_id WHERE c.started_at < a.created_at
        """,
    "payments": """
        SELECT count(*) FROM payment p JOIN account a ON a.id = p.account_id
        WHERE p.received_at < a.created_at
        """,
    "offers": """
        SELECT count(*) FROM offer o JOIN account a ON a.id = o.account_id
        WHERE o.offered_on < (a.created_at AT TIME ZONE 'America/New_York')::date
        """,
    "reversals": """
        SELECT count(*) FROM payment_reversal r JOIN payment p ON p.id = r.payment_id
        WHERE r.returned_at < p.received_at
        """,
}


async def _contents(db: asyncpg.Connection, tables: list[str]) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of all its rows."""
    return {
        table: tuple(
            await db.fetchrow(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f' FROM "{table}" t'
            )
        )
        for table in sorted(tables)
    }


async def test_the_demo_invents_no_event_and_a_second_run_changes_nothing(
    clean_state: None, owner_db: asyncpg.Connection
) -> None:
    from server.demo import report, seed
    from server.kit.settings import get_settings

    public = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    tables = [row["tablename"] for row in await owner_db.fetch(public)]
    first = await seed(get_settings(), accounts_per_client=40)
    assert first.created
    assert await owner_db.fetchval("SELECT count(*) FROM call") > 0
    for events, sql in _EVENTS_BEFORE_THEIR_ACCOUNT.items():
        assert await owner_db.fetchval(sql) == 0, f"{events} dated before their account existed"
    made = await _contents(owner_db, tables)

    second = await seed(get_settings(), accounts_per_client=40)
    assert not second.created
    changed = {
        table: (made[table], now)
        for table, now in (await _contents(owner_db, tables)).items()
        if made[table] != now
    }
    assert not changed, f"a second run changed {sorted(changed)}"
    assert second.logins == first.logins

    # What it says: which login opens which door, at which URL, and whether it did anything.
    said = report(first, "http://127.0.0.1:8000")
    assert said.startswith("Demo data made")
    assert "  client portal  http://127.0.0.1:8000/portal/\n    demo.client1 " in said
    assert "  workspace      http://127.0.0.1:8000/workspace/\n" in said
    assert "  API docs       http://127.0.0.1:8000/schema\n" in said
    for _, username in first.logins:
        assert f"\n    {username} " in said, username
    assert report(second, "http://127.0.0.1:8000").startswith(
        "The demo data is already here: nothing changed."
    )
    assert max(len(line) for line in said.splitlines()) <= 100
