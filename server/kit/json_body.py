"""How every JSON body is read: refused whole, with a 400 that says why, when it is not
UTF-8 or nests deeper than any request of ours needs — before a deeply nested body can
exhaust the decoder's recursion (a RecursionError, and a 500) or reach a JSONB column.
And a body's values are of their declared types, not coerced into them: Litestar converts
bodies leniently, which would read "100" and 1000.0 as an integer amount of cents; a body
that only the lenient reading accepts is a 422 naming the field (DESIGN.md, API contract:
amounts are integer `*_cents`, rates integer `*_bps`).

Litestar decodes a route's body through `Request.json()`; the app installs this request
class, so every route, the sign-in included, reads its body through the same check.

A body with wrong fields is a 422 that names every one of them, not only the first the
decoder met (msgspec stops there): a missing field, a value of the wrong type or outside
its range, a field the request does not have, and for an enum the values it allows.
"""

from __future__ import annotations

import enum
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
from litestar import Request

from server.kit.errors import BadRequest, FieldError, InvalidInput

# The deepest body a route takes is a client's authority or column map (four levels);
# 64 leaves room for any caller's formatting and refuses only what no caller means.
MAX_JSON_DEPTH = 64


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep objects and arrays nest in a decoded body (a scalar is 0, `{}` is 1); the
    walk stops as soon as it passes `limit`."""
    if not isinstance(value, dict | list):
        return 0
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, level)
        if deepest > limit:
            break
        pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _too_deep() -> BadRequest:
    return BadRequest(
        f"the body nests deeper than {MAX_JSON_DEPTH} levels",
        code="body_too_deep",
        details=[FieldError("body", f"nested more than {MAX_JSON_DEPTH} levels deep")],
    )


class CheckedJsonRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            raise _too_deep() from None
        except UnicodeDecodeError:
            raise BadRequest(
                "the body is not valid UTF-8",
                code="invalid_encoding",
                details=[FieldError("body", "is not valid UTF-8 text")],
            ) from None
        if json_depth(value) > MAX_JSON_DEPTH:
            raise _too_deep()
        self._refuse_coerced(value)
        return value

    def _refuse_coerced(self, value: Any) -> None:
        declared = self.route_handler.parsed_fn_signature.parameters.get("data")
        if declared is None:
            return
        try:
            msgspec.convert(value, type=declared.annotation, strict=False)
        except (msgspec.ValidationError, TypeError):
            # Wrong even leniently: each wrong field named here; a body that is not an
            # object at all is left to the framework's own 400.
            errors = field_errors(value, declared.annotation)
            if errors:
                raise InvalidInput(
                    "; ".join(f"{e.field}: {e.reason}" for e in errors), details=errors
                ) from None
            return
        try:
            msgspec.convert(value, type=declared.annotation, strict=True)
        except msgspec.ValidationError as error:
            field, reason = _field_and_reason(str(error))
            raise InvalidInput.field(field, reason) from None


def _field_and_reason(message: str) -> tuple[str, str]:
    """msgspec's "Expected `int`, got `str` - at `$.amount_cents`" as the field and a
    reason in words."""
    reason, _, where = message.partition(" - at `")
    # msgspec names a map's value `[...]`: the map is the field a person can find.
    field = where.rstrip("`").removeprefix("$").removeprefix(".").replace("[...]", "") or "body"
    if "`int`" in reason:
        reason = "must be a whole number (an integer), not text or a decimal"
    return field, reason


def _struct_of(annotation: Any) -> type[msgspec.Struct] | None:
    """The Struct a field holds, itself or inside `Optional`/`Annotated`; else None."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation
    if get_origin(annotation) in (Annotated, Union, types.UnionType):
        found = [s for s in map(_struct_of, get_args(annotation)) if s is not None]
        return found[0] if len(found) == 1 else None
    return None


def _allowed_values(annotation: Any) -> list[str]:
    """An enum's or a Literal's values, found inside `Optional`/`Annotated` too."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [str(member.value) for member in annotation]
    if get_origin(annotation) is Literal:
        return [str(value) for value in get_args(annotation)]
    if get_origin(annotation) in (Annotated, Union, types.UnionType):
        return [v for arg in get_args(annotation) for v in _allowed_values(arg)]
    return []


def _value_error(value: Any, annotation: Any, field: str) -> list[FieldError]:
    struct = _struct_of(annotation)
    if struct is not None and isinstance(value, dict):
        return field_errors(value, struct, prefix=f"{field}.")
    listed = annotation
    while get_origin(listed) is Annotated:  # a list with its own bounds
        listed = get_args(listed)[0]
    item_type = get_args(listed)[0] if get_origin(listed) is list else None
    if item_type is not None and isinstance(value, list) and _struct_of(item_type) is not None:
        items = [_value_error(item, item_type, f"{field}[{i}]") for i, item in enumerate(value)]
        found = [error for errors in items for error in errors]
        if found:
            return found
    try:
        msgspec.convert(value, type=annotation, strict=False)
    except msgspec.ValidationError as error:
        reason = str(error).partition(" - at `")[0]
        allowed = _allowed_values(annotation)
        if allowed and reason.startswith("Invalid enum value"):
            reason = "must be one of: " + ", ".join(allowed)
        return [FieldError(field, reason)]
    except TypeError:
        return []  # a type convert cannot judge alone: the framework's reading decides
    return []


def field_errors(value: Any, annotation: Any, *, prefix: str = "") -> list[FieldError]:
    """Every field of a body that is wrong for its Struct, in the Struct's field order,
    then any field it does not know; [] when `value` is not an object or the type not a
    Struct (the framework's own answer stands)."""
    struct = _struct_of(annotation)
    if struct is None or not isinstance(value, dict):
        return []
    errors: list[FieldError] = []
    fields = msgspec.structs.fields(struct)
    for info in fields:
        name = f"{prefix}{info.encode_name}"
        if info.encode_name not in value:
            if info.required:
                errors.append(FieldError(name, "is required"))
            continue
        errors.extend(_value_error(value[info.encode_name], info.type, name))
    if struct.__struct_config__.forbid_unknown_fields:
        known = {info.encode_name for info in fields}
        errors.extend(
            FieldError(f"{prefix}{key}", "is not a field of this request")
            for key in value
            if key not in known
        )
    return errors
