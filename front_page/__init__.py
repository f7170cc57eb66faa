"""The server's front page at `/`: what this server is and its doors (the client portal,
the agency's workspace, the API and its docs), drawn in the portal's look. It owns no
tables; a browser signed in to the portal is sent on to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from front_page.controllers import FrontPageController

TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["TEMPLATES", "routes"]


def routes() -> list[Any]:
    return [FrontPageController]
