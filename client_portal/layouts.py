"""The client's file layouts on the portal: its column maps in words with a template and
a sample file per kind, and the mapping step that turns a file refused for its header
into a saved column map.

The mapping step keeps nothing on the server: the page's script reads the first bytes of
the file the client chose (at most `SAMPLE_BYTES`) and posts them with the form, and each
step sends them back (a hidden field). The file itself is sent again once the map is
saved; a file refused for its header was never kept, so the same bytes make a new
placement.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from client_portal.service import client, client_of
from server.auth.principal import Principal
from server.clients import service as clients
from server.clients.column_guide import (
    DATE_CHOICES,
    ColumnGuide,
    guide,
    header_message,
    kind_words,
    meaning,
    people_formats,
    sample_csv,
    template_csv,
)
from server.clients.column_map import (
    FIELDS,
    AmountFormat,
    ColumnMap,
    FileKind,
    column_map_for,
    default_column_map,
)
from server.kit.errors import InvalidInput, NotFound
from server.kit.pages import Form
from server.placements import service as placements
from server.placements.layout_preview import SAMPLE_BYTES, PreviewRow


@dataclass(frozen=True)
class KindLayout:
    kind: FileKind
    words: str  # "new-business"
    columns: list[ColumnGuide]
    amount_format: str
    date_formats: str  # in words


async def _maps(principal: Principal) -> dict[FileKind, ColumnMap]:
    found = await client(principal)
    settings = {"column_map": found.column_map}
    return {kind: column_map_for(settings, kind) for kind in FileKind}


async def layouts(principal: Principal) -> list[KindLayout]:
    """Every kind of file, its columns in words, as the client's map reads them."""
    return [
        KindLayout(kind, kind_words(kind), guide(m), str(m.amount_format),
                   people_formats(m.date_formats))
        for kind, m in (await _maps(principal)).items()
    ]  # fmt: skip


def _kind(raw: str) -> FileKind:
    try:
        return FileKind(raw)
    except ValueError:
        raise NotFound("no such kind of file") from None


async def layout_file(principal: Principal, kind: str, which: str) -> tuple[bytes, str]:
    """The template (header and one example row) or the sample file of a kind, in the
    client's layout, with its file name."""
    found = _kind(kind)
    column_map = (await _maps(principal))[found]
    if which == "template":
        return template_csv(column_map), f"{found.value}-template.csv"
    if which == "sample":
        return sample_csv(column_map), f"{found.value}-sample.csv"
    raise NotFound("no such file")


# --- the mapping step ---------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChoice:
    field: str
    meaning: str
    required: bool
    chosen: str  # the file's column, or "" for none


@dataclass
class MappingStep:
    kind: FileKind
    words: str
    sample: str  # the file's first bytes, base64, sent back with each step
    message: str
    header: list[str]
    choices: list[FieldChoice]
    amount_format: str
    date_choice: str
    date_choices: list[str] = field(default_factory=lambda: list(DATE_CHOICES))
    errors: dict[str, str] = field(default_factory=dict)
    preview: list[PreviewRow] | None = None
    # The map's other settings, kept as they are (the step does not ask about them).
    kept: dict[str, Any] = field(default_factory=dict)

    def shown_fields(self) -> list[str]:
        return [c.field for c in self.choices if c.chosen]


def _sample_bytes(raw: str) -> bytes:
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not data or len(data) > SAMPLE_BYTES:
        raise InvalidInput.field("file", "choose the file again and upload it", code="no_sample")
    return data


def _loose(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


def _guess(spec_name: str, current: ColumnMap, header: list[str]) -> str:
    """The file's column for one of our fields: the one the map names, or one named like
    the field; "" when none is."""
    by_key = {_loose(h): h for h in header}
    candidates = [
        current.columns.get(spec_name, ""),
        default_column_map(current.kind).columns.get(spec_name, ""),
        spec_name,
        spec_name.removesuffix("_cents"),
    ]
    return next((by_key[_loose(c)] for c in candidates if c and _loose(c) in by_key), "")


def _date_choice(formats: tuple[str, ...]) -> str:
    return next((k for k, v in DATE_CHOICES.items() if v == formats), next(iter(DATE_CHOICES)))


async def start_mapping(principal: Principal, kind: str, sample: str) -> MappingStep:
    """The first step: the file's columns beside ours, guessed where the names agree."""
    found = _kind(kind)
    data = _sample_bytes(sample)
    header = [h.strip() for h in placements.file_sample(data).header if h.strip()]
    current = (await _maps(principal))[found]
    mapped = {h.casefold() for h in current.columns.values()}
    known = {h.casefold() for h in header}
    missing = [
        h for f, h in current.columns.items()
        if h.casefold() not in known
        and (current.strict or any(s.required for s in FIELDS[found] if s.name == f))
    ]  # fmt: skip
    unknown = [h for h in header if h.casefold() not in mapped]
    choices = [
        FieldChoice(s.name, meaning(s.name), s.required, _guess(s.name, current, header))
        for s in FIELDS[found]
    ]
    kept = {"delinquency_from_charge_off": True} if current.delinquency_from_charge_off else {}
    return MappingStep(
        found, kind_words(found), sample,
        header_message(current, missing, unknown, [], next_step=False),
        header, choices, str(current.amount_format), _date_choice(current.date_formats),
        kept=kept,
    )  # fmt: skip


def _proposed(step: MappingStep) -> dict[str, Any]:
    return {
        **step.kept,
        "columns": {c.field: c.chosen for c in step.choices if c.chosen},
        "date_formats": list(DATE_CHOICES.get(step.date_choice, ())) or [step.date_choice],
        "amount_format": step.amount_format,
    }


def _errors(invalid: InvalidInput, kind: FileKind) -> dict[str, str]:
    prefix = f"column_map.{kind.value}."
    found: dict[str, str] = {}
    for d in invalid.details:
        name = d.field.removeprefix(prefix).removeprefix("columns.")
        found[name] = d.reason
    return found or {"form": invalid.message}


async def mapping_from_form(principal: Principal, form: Form) -> tuple[MappingStep, bool]:
    """A later step: the client's choices checked as the admin's update checks them, and
    the first rows previewed. Saved when asked and nothing is wrong; returns the step and
    whether it was saved."""
    step = await start_mapping(principal, form.get("kind"), form.get("sample"))
    data = _sample_bytes(step.sample)
    header = set(step.header)
    step.choices = [
        FieldChoice(c.field, c.meaning, c.required,
                    chosen if (chosen := form.get(f"map.{c.field}")) in header else "")
        for c in step.choices
    ]  # fmt: skip
    amount = form.get("amount_format")
    step.amount_format = amount if amount in AmountFormat.__members__.values() else "dollars"
    date_choice = form.get("date_format")
    step.date_choice = date_choice if date_choice in DATE_CHOICES else step.date_choice
    raw = _proposed(step)
    try:
        column_map = clients.check_column_map(step.kind, raw)
        step.preview = placements.preview_file(column_map, data)
    except InvalidInput as invalid:
        step.errors = _errors(invalid, step.kind)
        return step, False
    if form.get("action") != "save":
        return step, False
    await clients.set_column_map(principal, client_of(principal), step.kind, raw)
    return step, True
