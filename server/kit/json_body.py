"""How every JSON body is read: refused whole, with a 400 that says why, when it is not
UTF-8 or nests deeper than any request of ours needs — before a deeply nested body can
exhaust the decoder's recursion (a RecursionError, and a 500) or reach a JSONB column.
And a body's values are of their declared types, not coerced into them: Litestar converts
bodies leniently, which would read "100" and 1000.0 as an integer amount of cents; a body
that only the lenient reading accepts is a 422 naming the field (DESIGN.md, API contract:
amounts are integer `*_cents`, rates integer `*_bps`).

Litestar decodes a route's body through `Request.json()`; the app installs this request
class, so every route, the sign-in included, reads its body through the same check.
"""

from __future__ import annotations

from typing import Any

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
            return  # wrong even leniently: the framework's own 400 / 422 says so
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
