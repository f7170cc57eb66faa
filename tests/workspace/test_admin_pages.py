"""An admin's pages over HTTP: clients set up and edited through the clients service's
own validation (each fault next to its field, nothing written), a client's API tokens
(the secret shown once), users and roles, and remittance; none of it anyone else's."""

from __future__ import annotations

import asyncpg
import httpx

from tests.fixtures import PASSWORD, Caller, MakeAccount, MakeClient, MakeUser, new_key
from tests.workspace.conftest import Browser, NewBrowser

GOOD = {
    "name": "Lakeside Credit Union", "remittance_cycle": "monthly", "remittance_method": "gross",
    "grace_days": "5", "itemization_date": "charge_off", "max_plausible_balance": "50,000",
    "fee.primary": "27.5", "fee.secondary": "35", "fee.legal": "",
    "clearing.ach": "5", "clearing.card": "1", "clearing.check": "10", "clearing.cash": "0",
    "clearing.other": "5",
    "authority.collector.min_percent": "80", "authority.collector.max_installments": "6",
    "authority.collector.max_months": "6", "authority.collector.min_installment": "25",
    "authority.supervisor.min_percent": "65", "authority.supervisor.max_installments": "12",
    "authority.supervisor.max_months": "12", "authority.supervisor.min_installment": "25.00",
    "column_map": "",
}  # fmt: skip


async def paid_in_october(admin: Caller, account_id: str, cents: int) -> None:
    """A payment long cleared whatever today is (every pinned instant is after November
    2026): October's statement is due."""
    paid = await admin.post(
        f"/api/v1/accounts/{account_id}/payments",
        headers={"Idempotency-Key": new_key()},
        json={"amount_cents": cents, "method": "ach", "paid_to": "agency",
              "received_at": "2026-10-05T12:00:00-04:00"},
    )  # fmt: skip
    assert paid.status_code == 201, paid.text


async def _admin(staff_browser: NewBrowser, admin: Caller) -> Browser:
    b = await staff_browser()
    assert (await b.sign_in(admin.username or "")).status_code == 303
    return b


async def _count(db: asyncpg.Connection, table: str) -> int:
    return int(await db.fetchval(f"SELECT count(*) FROM {table}"))


async def test_a_client_is_refused_field_by_field_and_nothing_written(
    staff_browser: NewBrowser, admin: Caller, owner_db: asyncpg.Connection
) -> None:
    b = await _admin(staff_browser, admin)
    assert (await b.get("/workspace/admin/clients/new")).status_code == 200
    before = await _count(owner_db, "client")
    typed = {**GOOD, "fee.primary": "abc", "clearing.ach": "40",
             "authority.collector.min_percent": "0"}  # fmt: skip
    refused = await b.post_form("/workspace/admin/clients", typed)
    assert refused.status_code == 422
    page = refused.text
    assert "Primary: must be a percent from 0 to 100, such as 27.5" in page
    assert "ACH: must be between 0 and 30" in page
    # The authority's own check (server/clients/authority.py), next to its field.
    assert 'id="client-authority-collector-min-percent-error"' in page
    assert "Settles at least (%): must be an integer between 1 and 100" in page
    assert 'value="Lakeside Credit Union"' in page
    # Only the clients service knows a supervisor's band may not be narrower.
    narrower = await b.post_form(
        "/workspace/admin/clients", {**GOOD, "authority.supervisor.min_percent": "90"}
    )
    assert narrower.status_code == 422
    assert 'id="client-authority-supervisor-min-percent-error"' in narrower.text
    assert "must be at most the collector&#39;s (80)" in narrower.text
    no_primary = await b.post_form("/workspace/admin/clients", {**GOOD, "fee.primary": ""})
    assert no_primary.status_code == 422
    assert "Primary: is required" in no_primary.text
    columns = await b.post_form(
        "/workspace/admin/clients", {**GOOD, "column_map": '{"new_business": {"x": 1}}'}
    )
    assert columns.status_code == 422
    assert 'id="client-column-map-error"' in columns.text
    assert "Column maps: new_business" in columns.text
    assert await _count(owner_db, "client") == before


async def test_a_client_is_set_up_edited_and_keeps_its_name_unique(
    staff_browser: NewBrowser, admin: Caller, owner_db: asyncpg.Connection
) -> None:
    b = await _admin(staff_browser, admin)
    made = await b.post_form("/workspace/admin/clients", GOOD)
    assert made.status_code == 303, made.text
    page = (await b.get(made.headers["location"])).text
    assert "The client is set up." in page
    row = await owner_db.fetchrow(
        "SELECT id, fee_rates_bps, max_plausible_balance_cents, remittance_method, authority"
        " FROM client WHERE name = $1",
        GOOD["name"],
    )
    assert row is not None
    assert '"primary": 2750' in row["fee_rates_bps"]
    assert row["max_plausible_balance_cents"] == 5_000_000
    assert row["remittance_method"] == "gross"
    assert '"min_installment_cents": 2500' in row["authority"]
    assert 'value="27.5"' in page
    url = f"/workspace/admin/clients/{row['id']}"
    edited = await b.post_form(url, {**GOOD, "status": "active", "grace_days": "7"})
    assert edited.status_code == 303, edited.text
    assert await owner_db.fetchval("SELECT grace_days FROM client WHERE id = $1", row["id"]) == 7
    assert "The client&#39;s settings are saved." in (await b.get(edited.headers["location"])).text
    listed = (await b.get("/workspace/admin/clients")).text
    assert GOOD["name"] in listed
    assert "27.5 %" in listed
    twice = await b.post_form("/workspace/admin/clients", GOOD)
    assert twice.status_code == 409
    assert 'id="client-name-error"' in twice.text
    assert "choose another" in twice.text


async def test_a_token_is_shown_once_works_and_is_revoked(
    staff_browser: NewBrowser, admin: Caller, make_client: MakeClient, http: httpx.AsyncClient,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client = await make_client()
    b = await _admin(staff_browser, admin)
    url = f"/workspace/admin/clients/{client['client_id']}"
    nameless = await b.post_form(f"{url}/tokens", {"name": ""})
    assert nameless.status_code == 422
    assert "Name: is required" in nameless.text
    made = await b.post_form(f"{url}/tokens", {"name": "Nightly upload"})
    # Redirected, so a reload of what the browser shows sends nothing again.
    assert made.status_code == 303
    assert made.headers["location"] == f"{url}#token-created"
    assert "new-token" not in made.text
    passed = made.headers["set-cookie"].lower()
    assert "httponly" in passed
    assert "samesite=strict" in passed
    assert "max-age=300" in passed
    assert f"path={url}".lower() in passed
    shown = (await b.get(url)).text
    assert "Token “Nightly upload” created." in shown
    token = shown.split('id="new-token" class="mono token-once" readonly value="')[1]
    token = token.split('"')[0]
    bearer = {"Authorization": f"Bearer {token}"}
    me = await http.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200
    assert me.json()["client_id"] == client["client_id"]
    assert await _count(owner_db, "api_token") == 1
    # Shown once: the page read again (a reload) has the token's name and prefix only.
    again = (await b.get(url)).text
    assert token not in again
    assert "new-token" not in again
    assert "Nightly upload" in again
    assert token[:12] in again
    token_id = again.split("/tokens/")[1].split("/revoke")[0]
    revoked = await b.post_form(f"{url}/tokens/{token_id}/revoke")
    assert revoked.status_code == 303
    assert (await http.get("/api/v1/me", headers=bearer)).status_code == 401
    # A secret handed back in the cookie is shown only while it opens a live token of the
    # page's client: not once revoked, nor on another client's page.
    other = f"/workspace/admin/clients/{(await make_client())['client_id']}"
    live = await admin.post(f"/api/v1/clients/{client['client_id']}/tokens", json={"name": "b"})
    for page_url, secret in ((url, token), (other, live.json()["token"])):
        b.http.cookies.set("new_api_token", secret, path=page_url)
        assert secret not in (await b.get(page_url)).text


async def test_users_are_added_deactivated_and_collectors_given_portfolios(
    staff_browser: NewBrowser, admin: Caller, make_client: MakeClient, http: httpx.AsyncClient,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client = await make_client()
    b = await _admin(staff_browser, admin)
    page = (await b.get("/workspace/admin/users")).text
    assert admin.username in page
    assert "(you)" in page
    username = f"collector.{new_key()[:8]}"
    bad = await b.post_form(
        "/workspace/admin/users",
        {"username": username, "password": PASSWORD, "role": "supervisor",
         "client_ids": [client["client_id"]]},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "Portfolio: only collectors have a portfolio" in bad.text
    assert PASSWORD not in bad.text
    made = await b.post_form(
        "/workspace/admin/users",
        {"username": username, "password": PASSWORD, "role": "collector",
         "client_ids": [client["client_id"]], "capacity": "12"},
    )  # fmt: skip
    assert made.status_code == 303, made.text
    row = await owner_db.fetchrow("SELECT id, capacity FROM app_user WHERE username = $1", username)
    assert row is not None
    assert row["capacity"] == 12
    taken = await b.post_form(
        "/workspace/admin/users", {"username": username, "password": PASSWORD, "role": "admin"}
    )
    assert taken.status_code == 409
    assert 'id="user-username-error"' in taken.text
    blank = await b.post_form(f"/workspace/admin/users/{row['id']}/collector", {"capacity": ""})
    assert "Capacity: is required" in blank.text
    cap = await b.post_form(f"/workspace/admin/users/{row['id']}/collector", {"capacity": "x"})
    assert cap.status_code == 422
    assert "Capacity: must be a whole number" in cap.text
    saved = await b.post_form(
        f"/workspace/admin/users/{row['id']}/collector", {"capacity": "3", "client_ids": []}
    )
    assert saved.status_code == 303
    assert await owner_db.fetchval("SELECT capacity FROM app_user WHERE id = $1", row["id"]) == 3
    assert await _count(owner_db, "collector_portfolio") == 0
    off = await b.post_form(f"/workspace/admin/users/{row['id']}/active", {"active": "0"})
    assert off.status_code == 303
    login = {"username": username, "password": PASSWORD}
    assert (await http.post("/api/v1/auth/login", json=login)).status_code == 401
    me = await b.post_form(f"/workspace/admin/users/{admin.user_id}/active", {"active": "0"})
    assert me.status_code == 409
    assert "you may not deactivate yourself" in me.text


async def test_remittance_runs_and_its_statements_open_with_their_files(
    staff_browser: NewBrowser, admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client()
    account = await make_account(client["client_id"])
    await paid_in_october(admin, account["id"], 10_000)
    b = await _admin(staff_browser, admin)
    ran = await b.post_form("/workspace/admin/remittance")
    assert ran.status_code == 303
    page = (await b.get(ran.headers["location"])).text
    assert "statement issued" in page or "statements issued" in page
    statement_id = page.split('href="/workspace/admin/statements/')[1].split('"')[0]
    assert "." not in statement_id
    opened = await b.get(f"/workspace/admin/statements/{statement_id}")
    assert opened.status_code == 200
    assert account["client_account_number"] in opened.text
    assert "$100.00" in opened.text
    pdf = await b.get(f"/workspace/admin/statements/{statement_id}.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    csv = await b.get(f"/workspace/admin/statements/{statement_id}.csv")
    assert csv.status_code == 200
    assert account["client_account_number"] in csv.text
    again = await b.post_form("/workspace/admin/remittance")
    after = (await b.get(again.headers["location"])).text
    assert "The remittance ran: 0 statements issued" in after
    # Both runs in the batch's list, the latest first.
    runs = after.split('id="runs-title"')[1]
    assert runs.index("0 statements issued") < runs.index("1 statement issued")
    missing = await b.get("/workspace/admin/statements/not-an-id.pdf")
    assert missing.status_code == 404


async def test_no_admin_page_is_anyone_elses(
    staff_browser: NewBrowser, make_user: MakeUser, make_client: MakeClient,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client = await make_client()
    url = f"/workspace/admin/clients/{client['client_id']}"
    for role in ("supervisor", "collector"):
        extra = {"client_ids": [client["client_id"]]} if role == "collector" else {}
        user = await make_user(role, **extra)
        b = await staff_browser()
        assert (await b.sign_in(user.username or "")).status_code == 303
        home = (await b.get("/workspace/search")).text
        assert "/workspace/admin/" not in home
        for page in ("/workspace/admin/clients", "/workspace/admin/clients/new", url,
                     "/workspace/admin/users", "/workspace/admin/statements"):  # fmt: skip
            assert (await b.get(page)).status_code == 403, (role, page)
        before = await _count(owner_db, "audit_event")
        for form, fields in (
            ("/workspace/admin/clients", GOOD), (url, GOOD), (f"{url}/tokens", {"name": "x"}),
            ("/workspace/admin/users", {"username": "x.y.z", "password": PASSWORD,
                                        "role": "admin"}),
            (f"/workspace/admin/users/{user.user_id}/active", {"active": "0"}),
            ("/workspace/admin/remittance", {}),
        ):  # fmt: skip
            assert (await b.post_form(form, fields)).status_code == 403, (role, form)
        assert await _count(owner_db, "audit_event") == before


async def test_every_admin_form_refuses_a_missing_or_forged_token(
    staff_browser: NewBrowser, admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    b = await _admin(staff_browser, admin)
    url = f"/workspace/admin/clients/{client['client_id']}"
    made = await b.post_form(f"{url}/tokens", {"name": "kept"})
    assert made.status_code == 303
    token_id = await owner_db.fetchval("SELECT id FROM api_token")
    before = await _count(owner_db, "audit_event")
    forms = {
        "/workspace/admin/clients": GOOD, url: GOOD, f"{url}/tokens": {"name": "x"},
        f"{url}/tokens/{token_id}/revoke": {},
        "/workspace/admin/users": {"username": "x.y.z", "password": PASSWORD, "role": "admin"},
        f"/workspace/admin/users/{admin.user_id}/active": {"active": "1"},
        f"/workspace/admin/users/{admin.user_id}/collector": {"capacity": "3"},
        "/workspace/admin/remittance": {},
    }  # fmt: skip
    for token in (None, "forged-token"):
        for form, fields in forms.items():
            data = fields if token is None else {**fields, "csrf_token": token}
            refused = await b.post_form(form, data, csrf=False)
            assert refused.status_code == 403, (form, refused.status_code)
            assert "security token" in refused.text
    assert await _count(owner_db, "audit_event") == before
    assert await owner_db.fetchval("SELECT revoked_at FROM api_token") is None
