"""All configuration, read once from the environment into one typed object.

A bad or missing value stops start-up with one line that names the variable
(`SettingsError`). The app, `piccolo_conf.py`, the worker and the CLI all read the same
object through `get_settings()`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Environment = Literal["development", "test", "production"]
LogFormat = Literal["auto", "json", "console"]
DatabaseRole = Literal["app", "owner"]

DEFAULT_AGENCY_TIMEZONE = "America/New_York"
# One address, no display name, nothing a header could be split on.
_MAIL_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")


class SettingsError(Exception):
    """A configuration value is missing or wrong; the message names the variable."""

    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(f"{variable}: {reason}")
        self.variable = variable
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Settings:
    environment: Environment
    # The owner's URL: migrations run with it. None means the embedded PostgreSQL
    # under data_dir, which the CLI starts and then passes on to its processes.
    database_url: str | None
    # What the API and worker connect with: a role that may only INSERT and SELECT the
    # audit log. Derived from database_url (same server and database, user app_db_user)
    # unless given explicitly.
    app_database_url: str | None
    app_db_user: str
    # Which of the two URLs piccolo_conf uses in this process; only `agency migrate`
    # runs as the owner.
    db_role: DatabaseRole
    db_pool_min: int
    db_pool_max: int
    redis_url: str | None
    data_dir: Path
    host: str
    port: int
    agency_name: str
    # What letters print: the mailing address disputes are sent to (lines separated by
    # "|"), a telephone line, and the address electronic disputes go to. No dispute
    # address: the agency does not accept disputes electronically, and no letter says so.
    agency_mailing_address: tuple[str, ...]
    agency_phone: str | None
    agency_dispute_address: str | None
    # Business days the client has to answer a verification request (disputes).
    verification_due_bd: int
    agency_timezone: str
    log_format: LogFormat
    log_level: str
    upload_max_bytes: int
    ingest_batch_rows: int
    remittance_clients_per_transaction: int
    jwt_keys_dir: Path
    jwt_active_kid: str | None
    jwt_issuer: str
    jwt_audience: str
    access_token_ttl_s: int
    refresh_token_ttl_s: int
    password_time_cost: int
    password_memory_kib: int
    login_failures_per_username: int
    login_failures_per_address: int
    login_window_s: int
    ssn_hash_key: bytes | None
    portal_session_ttl_s: int
    # The agency's workspace: idle and absolute limits of a staff member's signed-in browser.
    workspace_idle_s: int
    workspace_absolute_s: int
    # Overrides of the dispatcher's scoring weights, as given: server/dispatch/scoring.py
    # has the defaults, says what each means and checks these (`weights_from`).
    score_weights: Mapping[str, object]
    # Where e-mail notices go out: smtp:// (STARTTLS when the server offers it) or smtps://,
    # with user:password for authentication. None (the embedded default): notices stay in
    # the outbox, which admins read in the workspace.
    smtp_url: str | None
    # The notices' From address, and the address links in them start with.
    smtp_from: str
    public_url: str

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"

    def connection_url(self) -> str:
        """The URL this process's engine uses, by its role."""
        if self.database_url is None:
            raise SettingsError(
                "DATABASE_URL", "not set (start through `agency`, which runs the embedded one)"
            )
        if self.db_role == "owner":
            return self.database_url
        return self.app_database_url or with_user(self.database_url, self.app_db_user)


def with_user(url: str, user: str) -> str:
    """The same server and database as `url`, connecting as `user` with no password."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, parts.fragment))


class _Reader:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return default
        return value.strip()

    def required_text(self, name: str, default: str) -> str:
        value = self.text(name, default)
        assert value is not None
        return value

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(name, f"must be a whole number, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise SettingsError(name, f"must be between {minimum} and {maximum}, got {value}")
        return value

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.required_text(name, default).lower()
        if value not in choices:
            raise SettingsError(name, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def url(self, name: str, schemes: tuple[str, ...]) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            raise SettingsError(name, f"must be a {' or '.join(s + '://' for s in schemes)} URL")
        if parts.scheme != "unix" and not (parts.hostname or "host=" in parts.query):
            raise SettingsError(name, "has no host")
        return value

    def json_object(self, name: str) -> Mapping[str, object]:
        raw = self.text(name)
        if raw is None:
            return MappingProxyType({})
        try:
            given = json.loads(raw)
        except ValueError as error:
            raise SettingsError(name, f"not JSON ({error})") from None
        if not isinstance(given, dict):
            raise SettingsError(name, "must be a JSON object")
        return MappingProxyType(given)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = _Reader(os.environ if environ is None else environ)
    environment = env.choice("AGENCY_ENV", "development", ("development", "test", "production"))
    data_dir = Path(env.required_text("AGENCY_DATA_DIR", ".data")).resolve()
    database_url = env.url("DATABASE_URL", ("postgresql", "postgres"))
    redis_url = env.url("REDIS_URL", ("redis", "rediss", "unix"))
    if environment == "production" and (database_url is None or redis_url is None):
        missing = "DATABASE_URL" if database_url is None else "REDIS_URL"
        raise SettingsError(
            missing, "must be set in production (the embedded servers are for development)"
        )

    timezone = env.required_text("AGENCY_TIMEZONE", DEFAULT_AGENCY_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("AGENCY_TIMEZONE", f"unknown time zone {timezone!r}") from None

    ssn_key_text = env.text("SSN_HASH_KEY")
    if ssn_key_text is not None and len(ssn_key_text) < 32:
        raise SettingsError("SSN_HASH_KEY", "must be at least 32 characters")
    if environment == "production" and ssn_key_text is None:
        raise SettingsError("SSN_HASH_KEY", "must be set in production")

    pool_min = env.integer("DB_POOL_MIN", 2, 1, 100)
    pool_max = env.integer("DB_POOL_MAX", 10, 1, 500)
    if pool_max < pool_min:
        raise SettingsError("DB_POOL_MAX", f"must be at least DB_POOL_MIN ({pool_min})")

    host = env.required_text("AGENCY_HOST", "127.0.0.1")
    port = env.integer("AGENCY_PORT", 8000, 1, 65535)
    return Settings(
        environment=environment,  # type: ignore[arg-type]
        database_url=database_url,
        app_database_url=env.url("APP_DATABASE_URL", ("postgresql", "postgres")),
        app_db_user=env.required_text("APP_DB_USER", "agency_app"),
        db_role=env.choice("AGENCY_DB_ROLE", "app", ("app", "owner")),  # type: ignore[arg-type]
        db_pool_min=pool_min,
        db_pool_max=pool_max,
        redis_url=redis_url,
        data_dir=data_dir,
        host=host,
        port=port,
        agency_name=env.required_text("AGENCY_NAME", "Northwind Recovery Services"),
        agency_mailing_address=tuple(
            line.strip()
            for line in env.required_text(
                "AGENCY_MAILING_ADDRESS", "PO Box 4410|Columbus, OH 43215-4410"
            ).split("|")
            if line.strip()
        ),
        agency_phone=env.text("AGENCY_PHONE"),
        agency_dispute_address=env.text("AGENCY_DISPUTE_ADDRESS"),
        verification_due_bd=env.integer("VERIFICATION_DUE_BD", 15, 1, 120),
        agency_timezone=timezone,
        log_format=env.choice("LOG_FORMAT", "auto", ("auto", "json", "console")),  # type: ignore[arg-type]
        log_level=env.choice(
            "LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")
        ).upper(),
        upload_max_bytes=env.integer("UPLOAD_MAX_BYTES", 512 * 1024 * 1024, 1024, 2**40),
        ingest_batch_rows=env.integer("INGEST_BATCH_ROWS", 25_000, 100, 1_000_000),
        remittance_clients_per_transaction=env.integer(
            "REMITTANCE_CLIENTS_PER_TRANSACTION", 50, 1, 10_000
        ),
        jwt_keys_dir=Path(env.required_text("JWT_KEYS_DIR", str(data_dir / "jwt-keys"))).resolve(),
        jwt_active_kid=env.text("JWT_ACTIVE_KID"),
        jwt_issuer=env.required_text("JWT_ISSUER", "agency"),
        jwt_audience=env.required_text("JWT_AUDIENCE", "agency-api"),
        access_token_ttl_s=env.integer("ACCESS_TOKEN_TTL_S", 900, 30, 86_400),
        refresh_token_ttl_s=env.integer("REFRESH_TOKEN_TTL_S", 14 * 86_400, 60, 365 * 86_400),
        password_time_cost=env.integer("PASSWORD_TIME_COST", 3, 1, 20),
        password_memory_kib=env.integer("PASSWORD_MEMORY_KIB", 65_536, 64, 4_194_304),
        login_failures_per_username=env.integer("LOGIN_FAILURES_PER_USERNAME", 10, 1, 10_000),
        login_failures_per_address=env.integer("LOGIN_FAILURES_PER_ADDRESS", 200, 1, 100_000),
        login_window_s=env.integer("LOGIN_WINDOW_S", 300, 1, 86_400),
        ssn_hash_key=ssn_key_text.encode() if ssn_key_text else None,
        portal_session_ttl_s=env.integer("PORTAL_SESSION_TTL_S", 1800, 60, 86_400),
        workspace_idle_s=env.integer("WORKSPACE_IDLE_S", 1800, 60, 86_400),
        workspace_absolute_s=env.integer("WORKSPACE_ABSOLUTE_S", 12 * 3600, 300, 7 * 86_400),
        score_weights=env.json_object("AGENCY_SCORE_WEIGHTS"),
        smtp_url=env.url("SMTP_URL", ("smtp", "smtps")),
        smtp_from=_mail_address(env, "SMTP_FROM", "notices@localhost"),
        public_url=env.required_text("AGENCY_PUBLIC_URL", f"http://{host}:{port}").rstrip("/"),
    )


def _mail_address(env: _Reader, name: str, default: str) -> str:
    value = env.required_text(name, default)
    if not _MAIL_ADDRESS.match(value):
        raise SettingsError(name, f"must be an e-mail address, got {value!r}")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
