"""The placements page's layouts in words, their template and sample files, and the
mapping step that makes a file in the client's own layout load."""

from __future__ import annotations

import base64
import csv
import io
import json
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.auth.principal import Principal, Role
from server.clients import service as clients
from server.clients.column_map import FileKind
from server.kit.errors import NotPermitted
from tests.client_portal.conftest import Browser, NewBrowser
from tests.fixtures import Caller, MakeClient, MakeUser

pytestmark = pytest.mark.clock

FETCH = {"X-Requested-With": "portal"}
MATCH = "/portal/placements/layouts/match"

# A dental practice's own export: its names, US dates, dollars with a sign.
OWN_LAYOUT = (
    b"Acct No,Patient Last,Patient First,Zip Code,Balance Due,Past Due Since,Cell\r\n"
    b'D-1001,Lopez,Maria,43215,"$1,234.56",03/15/2025,614-555-0142\r\n'
    b"D-1002,Smith,James,45402,480.00,01/31/2025,\r\n"
    b"D-1003,Nguyen,Ann,44308,99.99,12/01/2024,\r\n"
)


async def _client_user(
    make_client: MakeClient, make_user: MakeUser, browser: NewBrowser, **client: object
) -> tuple[dict[str, object], Browser]:
    found = await make_client(**client)
    user = await make_user("client", client_id=found["client_id"])
    page = await browser()
    assert (await page.sign_in(user.username or "")).status_code == 303
    return found, page


async def _upload(page: Browser, body: bytes, kind: str = "new_business") -> dict[str, object]:
    response = await page.http.post(
        "/portal/placements/upload",
        params={"kind": kind, "tier": "primary", "file_name": "own.csv"},
        content=body,
        headers={"Content-Type": "text/csv", "X-CSRF-Token": page.csrf, **FETCH},
    )
    return {"status": response.status_code, **response.json()}


async def test_the_layouts_are_shown_in_words_with_a_template_and_a_sample_that_loads(
    make_client: MakeClient, make_user: MakeUser, browser: NewBrowser
) -> None:
    from server.placements import ingest

    own = {"columns": {"client_account_number": "Acct No", "last_name": "Last",
                       "zip": "Zip", "principal_cents": "Bal", "delinquency_date": "DLQ"},
           "date_formats": ["%m/%d/%Y"], "amount_format": "cents"}  # fmt: skip
    _, page = await _client_user(make_client, make_user, browser,
                                 column_map={"new_business": own})  # fmt: skip
    html = (await page.get("/portal/placements")).text
    assert "a date: MM/DD/YYYY" in html
    assert "%m" not in html
    assert "%Y" not in html
    assert '<td data-label="Column" class="mono">Acct No</td>' in html
    assert "whole cents, no dollar sign" in html
    for kind in FileKind:
        assert f"/portal/placements/layouts/template.csv?kind={kind.value}" in html
        for which, rows in (("template", 1), ("sample", 3)):
            got = await page.get(f"/portal/placements/layouts/{which}.csv?kind={kind.value}")
            assert got.status_code == 200, got.text
            assert got.headers["content-type"].startswith("text/csv")
            assert "attachment" in got.headers["content-disposition"]
            records = list(csv.reader(io.StringIO(got.text)))
            assert len(records) == 1 + rows
    template = await page.get("/portal/placements/layouts/template.csv?kind=new_business")
    assert template.text.splitlines() == [
        "Acct No,Last,Zip,Bal,DLQ",
        "A-10023,Lopez,43215,125050,04/15/2025",
    ]
    assert (await page.get("/portal/placements/layouts/sample.csv?kind=nothing")).status_code == 404

    # The sample, sent as it is, loads whole.
    sample = await page.get("/portal/placements/layouts/sample.csv?kind=new_business")
    sent = await _upload(page, sample.content)
    assert sent["status"] == 202, sent
    assert await ingest.load_placement(UUID(str(sent["placement_id"]))) == "loaded"
    placed = await page.get(str(sent["location"]))
    assert "<strong>3</strong> accounts" in placed.text


async def test_the_samples_of_every_kind_load_one_after_the_other(
    make_client: MakeClient, make_user: MakeUser, browser: NewBrowser
) -> None:
    from server.placements import ingest

    _, page = await _client_user(make_client, make_user, browser)
    for kind in ("new_business", "financial", "maintenance", "recall"):
        sample = await page.get(f"/portal/placements/layouts/sample.csv?kind={kind}")
        sent = await _upload(page, sample.content, kind)
        assert sent["status"] == 202, (kind, sent)
        placement_id = UUID(str(sent["placement_id"]))
        assert await ingest.load_placement(placement_id) == "loaded", kind
        errors = await page.get(f"/portal/placements/{placement_id}/errors.csv")
        assert errors.text.splitlines()[1:] == [], (kind, errors.text)
        loaded = await page.get(str(sent["location"]))
        assert "Every row was accepted." in loaded.text, kind


async def test_a_file_in_its_own_layout_is_matched_saved_and_then_loads(
    make_client: MakeClient, make_user: MakeUser, browser: NewBrowser,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    from server.placements import ingest

    client, page = await _client_user(make_client, make_user, browser)
    refused = await _upload(page, OWN_LAYOUT)
    assert refused["status"] == 422
    error = refused["error"]
    assert isinstance(error, dict)
    assert error["code"] == "header_mismatch"
    message = error["message"]
    assert "missing from the header" not in message
    assert "“client_account_number” (your account number for the debt)" in message
    assert "“Acct No”" in message
    assert "“Balance Due”" in message
    assert await owner_db.fetchval("SELECT count(*) FROM placement") == 0

    sample = base64.b64encode(OWN_LAYOUT).decode()
    first = await page.post_form(MATCH, {"kind": "new_business", "sample": sample})
    assert first.status_code == 200, first.text
    assert "Match your file's columns" in first.text
    assert '<option value="Acct No">Acct No</option>' in first.text
    # Names that agree are chosen already: none of these do.
    select = first.text.split('name="map.client_account_number"')[1].split("</select>")[0]
    assert "selected" not in select

    choices = {
        "map.client_account_number": "Acct No", "map.last_name": "Patient Last",
        "map.first_name": "Patient First", "map.zip": "Zip Code",
        "map.principal_cents": "Balance Due", "map.delinquency_date": "Past Due Since",
        "map.phone_mobile": "Cell", "amount_format": "dollars", "date_format": "MM/DD/YYYY",
    }  # fmt: skip
    form = {"kind": "new_business", "sample": sample, **choices}
    preview = await page.post_form(MATCH, {**form, "action": "preview"})
    assert preview.status_code == 200, preview.text
    assert "The first rows as they would load" in preview.text
    assert "$1,234.56" in preview.text
    assert "Mar 15, 2025" in preview.text
    assert preview.text.count(">Loads<") == 3

    # In cents, the same balances would be refused or misread: the preview says so.
    cents = await page.post_form(MATCH, {**form, "amount_format": "cents", "action": "preview"})
    assert ">Loads<" not in cents.text.split("The first rows as they would load")[1][:20000]

    unmapped = await page.post_form(MATCH, {**form, "map.zip": "", "action": "save"})
    assert unmapped.status_code == 422
    assert "required field is not mapped" in unmapped.text
    twice = await page.post_form(
        MATCH, {**form, "map.first_name": "Patient Last", "action": "save"}
    )
    assert twice.status_code == 422
    assert "duplicate header" in twice.text
    assert (await clients.client_settings(UUID(str(client["client_id"]))))["column_map"] == {}

    saved = await page.post_form(MATCH, {**form, "action": "save"})
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"].startswith("/portal/placements?mapped=new_business")
    back = await page.get(saved.headers["location"])
    assert "Your new-business layout is saved" in back.text
    assert '<td data-label="Column" class="mono">Balance Due</td>' in back.text

    stored = (await clients.client_settings(UUID(str(client["client_id"]))))["column_map"]
    assert stored["new_business"]["columns"]["principal_cents"] == "Balance Due"
    assert stored["new_business"]["date_formats"] == ["%m/%d/%Y"]
    event = await owner_db.fetchrow(
        "SELECT actor_kind, before, after FROM audit_event WHERE action = 'client.column_map'"
    )
    assert event is not None
    assert event["actor_kind"] == "user"
    assert json.loads(event["before"])["column_map"] == {}
    assert json.loads(event["after"])["column_map"]["new_business"] == stored["new_business"]

    again = await _upload(page, OWN_LAYOUT)
    assert again["status"] == 202, again
    assert await ingest.load_placement(UUID(str(again["placement_id"]))) == "loaded"
    loaded = await owner_db.fetchrow(
        "SELECT rows_accepted, rows_rejected, balance_placed_cents FROM placement"
    )
    assert dict(loaded) == {"rows_accepted": 3, "rows_rejected": 0,
                            "balance_placed_cents": 123456 + 48000 + 9999}  # fmt: skip


async def test_the_mapping_step_needs_the_files_bytes_and_its_own_session(
    make_client: MakeClient, make_user: MakeUser, browser: NewBrowser
) -> None:
    _, page = await _client_user(make_client, make_user, browser)
    lost = await page.post_form(MATCH, {"kind": "new_business", "sample": "not base64!"})
    assert lost.status_code == 422
    assert "choose the file again" in lost.text
    forged = await page.post_form(
        MATCH, {"kind": "new_business", "sample": "eA==", "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    stranger = await browser("203.0.113.40")
    anonymous = await stranger.post_form(MATCH, {"kind": "new_business", "sample": "eA=="})
    assert anonymous.status_code in (302, 303, 401)


async def test_an_api_token_may_not_change_a_column_map(
    make_client: MakeClient, admin: Caller
) -> None:
    found = await make_client()
    client_id = UUID(str(found["client_id"]))
    token = Principal(uuid4(), "api_token", Role.CLIENT, "token", client_id=client_id)
    columns = {"client_account_number": "Acct No", "last_name": "Last", "zip": "Zip",
               "principal_cents": "Bal", "delinquency_date": "DLQ"}  # fmt: skip
    raw = {"columns": columns}
    with pytest.raises(NotPermitted):
        await clients.set_column_map(token, client_id, FileKind.NEW_BUSINESS, raw)
    assert (await clients.client_settings(client_id))["column_map"] == {}


async def test_a_financial_file_in_cents_and_day_first_dates_is_matched(
    make_client: MakeClient, make_user: MakeUser, browser: NewBrowser
) -> None:
    _, page = await _client_user(make_client, make_user, browser)
    own = (
        b"Ref,Acct,Kind,Amt,Posted\r\n"
        b"R1,A-1,payment,12550,03/11/2025\r\n"
        b"R2,A-2,payment,12550,30/02/2025\r\n"
    )
    refused = await _upload(page, own, "financial")
    assert refused["status"] == 422
    sample = base64.b64encode(own).decode()
    form = {
        "kind": "financial", "sample": sample, "map.client_account_number": "Acct",
        "map.transaction_type": "Kind", "map.amount_cents": "Amt",
        "map.transaction_date": "Posted", "map.transaction_id": "Ref",
        "amount_format": "cents", "date_format": "DD/MM/YYYY", "action": "preview",
    }  # fmt: skip
    preview = await page.post_form(MATCH, form)
    assert preview.status_code == 200, preview.text
    assert "$125.50" in preview.text
    assert "Nov 3, 2025" in preview.text
    assert "Feb 30, 2025 is not a date (February 2025 has 28 days)" in preview.text
    saved = await page.post_form(MATCH, {**form, "action": "save"})
    assert saved.status_code == 303, saved.text
    stored = await page.get("/portal/placements/layouts/template.csv?kind=financial")
    assert stored.text.splitlines()[0] == "Acct,Kind,Amt,Posted,Ref"
