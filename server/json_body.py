"""How every JSON body is read: refused whole, with a 400 that says why, when it is not
UTF-8 or nests deeper than any request of ours needs — before a deeply nested body can
exhaust the decoder's recursion (a RecursionError, and a 500) or reach a JSONB column.

Litestar decodes a route's body through `Request.json()`; the app installs this request
class, so every route, the sign-in included, reads its body through the same check.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from server.errors import BadRequest, FieldError

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
        return value
