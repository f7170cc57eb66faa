"""What an admin's pages show and do, each through the JSON route's own service function:
clients (POST/PATCH /clients: the same validation, faults by field), users and roles
(GET/POST /users, PATCH /users/{id}, PATCH /collectors/{id}), a client's API tokens
(POST/GET/DELETE /clients/{id}/tokens), and remittance (POST /remittance/run, GET
/remittance/runs, GET /statements and a statement's documents). Each is an admin's alone."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from server.auth import service as auth
from server.auth import user_admin
from server.auth.principal import Principal, Role
from server.auth.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    CollectorUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from server.clients import service as clients
from server.clients.schemas import ClientCreate, ClientRead, ClientUpdate
from server.kit.errors import InvalidInput, NotPermitted
from server.kit.pages import form_as
from server.kit.pagination import page_request
from server.settlements.remittance import payouts
from server.settlements.remittance import service as remittance
from server.settlements.remittance.schemas import (
    PayoutCreate,
    PayoutRead,
    RemittanceRunRead,
    RemittanceRunSummary,
    StatementRead,
)
from server.settlements.remittance.statements import StatementDocument
from workspace import client_form
from workspace.client_form import Values

# How many rows each list page shows (the API pages through them all).
SHOWN = 200
STATEMENTS_SHOWN = 100
RUNS_SHOWN = 10


def require_admin(actor: Principal) -> None:
    if actor.role != Role.ADMIN:
        raise NotPermitted("only admins set up clients, users, tokens and remittance")


# --- clients ---------------------------------------------------------------------------------


async def client_list(actor: Principal) -> list[ClientRead]:
    require_admin(actor)
    return (await clients.list_clients(actor, page_request(SHOWN, None))).items


async def client(actor: Principal, client_id: UUID) -> ClientRead:
    require_admin(actor)
    return await clients.get_client(actor, client_id)


async def client_names(actor: Principal) -> dict[UUID, str]:
    return {row["id"]: row["name"] for row in await clients.client_names(actor)}


async def create_client(actor: Principal, values: Values) -> ClientRead:
    """POST /clients."""
    require_admin(actor)
    body = client_form.body_of(values, editing=False)
    return await clients.create_client(actor, form_as(body, ClientCreate))


async def update_client(actor: Principal, client_id: UUID, values: Values) -> ClientRead:
    """PATCH /clients/{id}, with every setting the form holds."""
    require_admin(actor)
    await clients.get_client(actor, client_id)
    body = client_form.body_of(values, editing=True)
    return await clients.update_client(actor, client_id, form_as(body, ClientUpdate))


# --- API tokens ------------------------------------------------------------------------------


async def tokens(actor: Principal, client_id: UUID) -> list[ApiTokenRead]:
    require_admin(actor)
    return await auth.list_api_tokens(actor, client_id)


async def create_token(actor: Principal, client_id: UUID, name: str) -> ApiTokenCreated:
    require_admin(actor)
    if not name:
        raise InvalidInput.field("name", "is required: say what the token is for")
    data = form_as({"name": name}, ApiTokenCreate)
    return await auth.create_api_token(actor, client_id, data.name)


async def token_just_made(actor: Principal, client_id: UUID, secret: str) -> ApiTokenCreated | None:
    require_admin(actor)
    return await auth.live_api_token_of_secret(actor, client_id, secret)


async def revoke_token(actor: Principal, client_id: UUID, token_id: UUID) -> None:
    require_admin(actor)
    await auth.revoke_api_token(actor, client_id, token_id)


# --- users -----------------------------------------------------------------------------------


async def users(actor: Principal) -> list[UserRead]:
    require_admin(actor)
    return (await user_admin.list_users(actor, page_request(SHOWN, None), None)).items


def _capacity(text: str) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        raise InvalidInput.field("capacity", "must be a whole number") from None


def _client_ids(texts: list[str]) -> list[UUID]:
    try:
        return [UUID(t) for t in texts]
    except ValueError:
        raise InvalidInput.field("client_ids", "choose clients from the list") from None


async def create_user(actor: Principal, values: Values) -> UserRead:
    """POST /users: a role; a client user's client, a collector's portfolio and capacity."""
    require_admin(actor)
    role = values.get("role", "")
    body: dict[str, Any] = {
        "username": values.get("username", ""), "password": values.get("password", ""),
        "role": role, "client_id": values.get("client_id") or None,
    }  # fmt: skip
    # Sent as typed, whatever the role: the service says what belongs to whom.
    if values.get("client_ids"):
        body["client_ids"] = [str(c) for c in _client_ids(values["client_ids"])]
    if values.get("capacity"):
        body["capacity"] = _capacity(values["capacity"])
    return await auth.create_user(actor, form_as(body, UserCreate))


async def set_active(actor: Principal, user_id: UUID, active: bool) -> UserRead:
    """PATCH /users/{id}."""
    require_admin(actor)
    return await user_admin.update_user(actor, user_id, UserUpdate(active=active))


async def update_collector(actor: Principal, user_id: UUID, values: Values) -> UserRead:
    """PATCH /collectors/{id}: capacity and portfolio."""
    require_admin(actor)
    if not values.get("capacity"):
        raise InvalidInput.field("capacity", "is required: how many people the queue holds")
    body = {
        "capacity": _capacity(values["capacity"]),
        "client_ids": [str(c) for c in _client_ids(values.get("client_ids", []))],
    }
    return await auth.update_collector(actor, user_id, form_as(body, CollectorUpdate))


# --- remittance ------------------------------------------------------------------------------


async def statements(actor: Principal, client_id: UUID | None) -> list[StatementRead]:
    require_admin(actor)
    page = page_request(STATEMENTS_SHOWN, None)
    return (await remittance.list_statements(actor, page, client_id)).items


async def runs(actor: Principal) -> list[RemittanceRunSummary]:
    """GET /remittance/runs: the batch's latest runs."""
    require_admin(actor)
    return (await remittance.list_runs(actor, page_request(RUNS_SHOWN, None))).items


async def run_remittance(actor: Principal) -> RemittanceRunRead:
    """POST /remittance/run, as of now: every period ended that has no statement yet."""
    require_admin(actor)
    return await remittance.run_remittance(actor, None)


async def record_payout(actor: Principal, statement_id: UUID, values: dict[str, Any]) -> PayoutRead:
    """POST /statements/{id}/payout: the remittance paid to the client (once)."""
    require_admin(actor)
    data = form_as({k: v.strip() for k, v in values.items() if v.strip()}, PayoutCreate)
    return await payouts.record_payout(actor, statement_id, data)


async def statement(actor: Principal, statement_id: UUID) -> StatementDocument:
    require_admin(actor)
    return await payouts.statement_document(actor, statement_id)


async def advice(actor: Principal, statement_id: UUID) -> tuple[StatementDocument, PayoutRead]:
    require_admin(actor)
    return await payouts.advice_document(actor, statement_id)


async def invoice(actor: Principal, statement_id: UUID) -> StatementDocument:
    require_admin(actor)
    return await payouts.invoice_document(actor, statement_id)
