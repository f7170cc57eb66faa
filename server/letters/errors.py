from __future__ import annotations

from server.kit.errors import NotFound


class LetterNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such letter")


class BatchNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such letter batch")
