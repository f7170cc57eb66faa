"""The portal's Jinja environment: autoescaped, strict about undefined names, with the
filters the pages format money, rates and dates with (amounts stay integer cents until
they are shown)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from server.kit.dollars import dollars as money
from server.kit.settings import Settings
from server.settlements.remittance.periods import period_label

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
STATIC_PATH = "/portal/static"

_STATUS_LABELS = {
    "active": "Active",
    "disputed": "Disputed",
    "cease_communication": "Cease communication",
    "bankruptcy": "Bankruptcy",
    "deceased": "Deceased",
    "attorney_represented": "Attorney represented",
    "recalled": "Recalled",
    "paid_in_full": "Paid in full",
    "settled_in_full": "Settled in full",
    "closed": "Closed",
    "received": "Received",
    "validating": "Loading",
    "loaded": "Loaded",
    "rejected": "Rejected",
    "pending_client": "Awaiting your decision",
    "pending_supervisor": "With a supervisor",
    "accepted": "Accepted",
    "withdrawn": "Withdrawn",
    "fulfilled": "Fulfilled",
    "broken": "Broken",
    "expired": "Expired",
    "new_business": "New business",
    "maintenance": "Maintenance",
    "recall": "Recall",
    # A dispute's timeliness (server.disputes.rules).
    "before_notice": "Before the notice was mailed",
    "after_return": "After the notice came back",
    "in_period": "Within the validation period",
    "late": "After the validation period",
    "original_creditor_request": "Original creditor requested",
}


def label(value: str | None) -> str:
    if value is None:
        return ""
    return _STATUS_LABELS.get(value, value.replace("_", " ").capitalize())


def percent(numerator: int, denominator: int) -> str:
    """A share as a percentage with one decimal, computed in integers."""
    if denominator <= 0:
        return "—"
    tenths = (numerator * 1000 + denominator // 2) // denominator
    return f"{tenths // 10}.{tenths % 10}%"


def rate(bps: int) -> str:
    return f"{bps // 100}.{bps % 100:02d}%".replace(".00%", "%")


@cache
def _digest(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static(name: str) -> str:
    """A static file's URL with its content's hash, so it can be cached for good."""
    return f"{STATIC_PATH}/{name}?v={_digest(name)}"


def environment(settings: Settings, more_templates: Sequence[Path] = ()) -> Environment:
    """The portal's environment; `more_templates` are folders of other pages drawn in the
    portal's look (the front page), searched after the portal's own."""
    zone = ZoneInfo(settings.agency_timezone)

    def day(value: date | datetime | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            value = value.astimezone(zone).date()
        return f"{value:%b} {value.day}, {value.year}"

    def moment(value: datetime | None) -> str:
        if value is None:
            return "—"
        local = value.astimezone(zone)
        return f"{day(local)} {local:%H:%M}"

    def month(value: date) -> str:
        return f"{value:%b %Y}"

    def last_day(end: datetime) -> str:
        """A period's end is the midnight that closes it; people name the day before."""
        return day(end - timedelta(microseconds=1))

    def period(start: datetime, end: datetime) -> str:
        """A statement period in words: "November 2026", "Nov 23 – Nov 29, 2026"."""
        return period_label(start, end, settings.agency_timezone)

    env = Environment(
        loader=FileSystemLoader([HERE / "templates", *more_templates]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=money, label=label, rate=rate, day=day, moment=moment, month=month,
        last_day=last_day, period=period,
    )  # fmt: skip
    env.globals.update(static=static, percent=percent, agency_name=settings.agency_name)
    return env


def template_config(
    settings: Settings, more_templates: Sequence[Path] = ()
) -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(
        instance=JinjaTemplateEngine.from_environment(environment(settings, more_templates))
    )
