"""The smallest request a route's OpenAPI schema accepts, so that a call reaches the
handler (and its ownership checks) instead of stopping at validation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

ABSENT = object()


def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def instance(
    schema: dict[str, Any],
    components: dict[str, Any],
    *,
    name: str = "",
    ids: dict[str, str] | None = None,
) -> Any:
    """A value valid for `schema`; properties named like `<entity>_id(s)` get the ids
    given (someone else's, in the isolation matrix)."""
    ids = ids or {}
    schema = resolve(schema, components)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [resolve(s, components) for s in schema[key]]
            usable = [s for s in options if s.get("type") != "null"] or options
            return instance(usable[0], components, name=name, ids=ids)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(resolve(part, components))
        return instance(merged, components, name=name, ids=ids)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {
            prop: instance(sub, components, name=prop, ids=ids)
            for prop, sub in schema.get("properties", {}).items()
            if prop in schema.get("required", [])
        }
    if kind == "array":
        item = instance(schema.get("items", {}), components, name=name.removesuffix("s"), ids=ids)
        return (
            [item] * max(1, schema.get("minItems", 0))
            if name in ids or schema.get("minItems")
            else []
        )
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "uuid":
            return ids.get(
                name, ids.get(name.removesuffix("s"), "00000000-0000-0000-0000-000000000001")
            )
        if fmt == "date":
            return date.today().isoformat()
        if fmt == "date-time":
            return datetime.now(UTC).isoformat()
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return (
            max(schema.get("minimum", 1), 1)
            if "maximum" not in schema or schema["maximum"] >= 1
            else schema["maximum"]
        )
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    return None
