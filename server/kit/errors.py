"""The domain error base and its rendering as the API's error body.

Services raise these; one handler in `server.app` turns every one of them (and the
framework's own validation errors) into
`{"error": {"code", "message", "details": [{"field", "reason"}]}}`. Nothing below the
controllers knows about HTTP beyond the status code each kind carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    reason: str


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Iterable[FieldError] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: Sequence[FieldError] = tuple(details)
        self.headers = headers or {}


class BadRequest(DomainError):
    """The request could not be read at all (malformed body)."""


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"


class NotPermitted(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    """Also what a caller gets for something that exists but is not theirs."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, wrong status, reused key)."""

    status_code = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


class InvalidInput(DomainError):
    """One or more fields are wrong; `details` names each field and the reason."""

    status_code = 422
    code = "invalid_input"

    @classmethod
    def field(cls, field: str, reason: str, *, code: str | None = None) -> InvalidInput:
        return cls(f"{field}: {reason}", code=code, details=[FieldError(field, reason)])


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after_s))})
        self.retry_after_s = retry_after_s


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "service_unavailable"


def error_body(code: str, message: str, details: Iterable[FieldError] = ()) -> dict[str, object]:
    return {
        "error": {
            "code": code,
            "message": message,
            "details": [{"field": d.field, "reason": d.reason} for d in details],
        }
    }
