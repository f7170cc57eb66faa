"""How the workspace's handlers answer: a page with what every page needs (the session,
its CSRF token, the shortcuts), a redirect, and the account screen with any form's
refusal next to its fields. Shared by the collectors' and the supervisors' controllers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from uuid import UUID

from litestar import MediaType
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER

from server.auth.principal import Role
from server.auth.service import PortalSession
from server.kit.errors import DomainError, InvalidInput
from server.kit.pages import CSRF_FIELD, SECURITY_HEADERS
from server.messages import service as messages
from workspace import forms, service
from workspace.session import PREFIX
from workspace.templating import asset, consumer_time, verdict_text

Query = Annotated[str, QueryParameter(max_length=200)]
Session = NamedDependency[PortalSession]

# What `?` lists; the page's script binds the same keys (static/workspace.js).
SHORTCUTS = [
    ("n", "Next account"),
    ("c", "Record a call"),
    ("o", "Make an offer"),
    ("p", "Record a payment"),
    ("r", "Release the account"),
    ("/", "Search accounts"),
    ("?", "Show these shortcuts"),
]
# Next and release are a collector's (queues and leases).
_COLLECTOR_KEYS = "nr"


def home_of(session: PortalSession | None) -> str:
    if session is None:
        return f"{PREFIX}/search"
    if session.principal.role == Role.COLLECTOR:
        return f"{PREFIX}/queue"
    if session.principal.role == Role.SUPERVISOR:
        return f"{PREFIX}/approvals"
    return f"{PREFIX}/search"


async def page(
    template: str, session: PortalSession | None, *, status: int = HTTP_200_OK, **context: Any
) -> Template:
    role = session.principal.role if session is not None else None
    is_collector = role == Role.COLLECTOR
    return Template(
        template_name=f"workspace/{template}",
        context={
            "session": session,
            "csrf": session.csrf_token if session else "",
            "csrf_field": CSRF_FIELD,
            "nav": "",
            "home": home_of(session),
            "is_collector": is_collector,
            "supervises": role in (Role.SUPERVISOR, Role.ADMIN),
            "administers": role == Role.ADMIN,
            "unread": 0 if session is None else (await messages.unread(session.principal)).unread,
            "asset": asset,
            "shortcuts": [
                (key, what) for key, what in SHORTCUTS if is_collector or key not in _COLLECTOR_KEYS
            ],
            **context,
        },
        status_code=status,
        media_type=MediaType.HTML,
        headers=SECURITY_HEADERS,
    )


def see_other(url: str) -> Redirect:
    return Redirect(url, status_code=HTTP_303_SEE_OTHER, headers=SECURITY_HEADERS)


@dataclass(frozen=True)
class Refused:
    """A form the account screen shows again: which one, what was typed, what is wrong
    (by the form's field names; "form" for what belongs to no one field)."""

    form: str
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


def refused(form: str, values: dict[str, Any], error: DomainError) -> Refused:
    if isinstance(error, InvalidInput):
        errors = forms.field_errors(form, error)
        # A card number is never echoed (DESIGN.md, Security): the field comes back empty.
        kept = {k: "" if forms.CARD_NUMBER in errors.get(k, "") else v for k, v in values.items()}
        return Refused(form, kept, errors)
    return Refused(form, values, {"form": forms.refusal_sentence(error)})


@dataclass(frozen=True)
class Done:
    """What the screen reports after a form went through (from the redirect's query)."""

    call: str = ""
    offer: str = ""
    payment: str = ""
    done: str = ""


async def account_page(
    session: PortalSession,
    account_id: UUID,
    *,
    done: Done | None = None,
    failed: Refused | None = None,
    status: int = HTTP_200_OK,
) -> Template:
    done = done or Done()
    view = await service.account_screen(session.principal, account_id)
    values = failed.values if failed else {}
    return await page(
        "account.html", session, status=status, nav="queue", view=view,
        result=next((c for c in view.calls if str(c.call_id) == done.call), None),
        offer_result=next((o for o in view.offers if str(o.offer_id) == done.offer), None),
        payment_result=service.payment_of(view, done.payment),
        notice=forms.DONE_NOTICES.get(done.done),
        failed=failed.form if failed else "",
        errors=failed.errors if failed else {},
        values=forms.form_values(values),
        outcomes=service.OUTCOMES, consumer_time=consumer_time, verdict_text=verdict_text,
        choices=forms.CHOICES, status_labels=forms.STATUS_LABELS, today=service.today(),
        payment_key=service.new_idempotency_key(),
    )  # fmt: skip
