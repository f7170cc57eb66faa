"""Where a person writes: e-mail addresses (the rules are in `normalize`'s docstring; ZIP
codes are `server.kit.zip_codes`)."""

from __future__ import annotations


def normalize_email(raw: str) -> str | None:
    local, at, domain = raw.rpartition("@")
    if (
        not at
        or not 0 < len(local) <= 64
        or len(raw) > 254
        or "@" in local
        or len(raw.split()) != 1
        or "." not in domain
        or "" in domain.split(".")
    ):
        return None
    return local + "@" + domain.lower()
