"""Money in words: integer cents as people read them, for every domain's sentences."""

from __future__ import annotations


def dollars(cents: int) -> str:
    """Cents as people read them: -$1,234.05."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"
