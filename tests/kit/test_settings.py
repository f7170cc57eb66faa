"""`server.kit.settings`: defaults, and every bad value stops start-up naming its variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.dispatch.scoring import configured_weights
from server.kit.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 32


def test_defaults_need_no_configuration() -> None:
    settings = load_settings({})
    assert settings.environment == "development"
    assert settings.database_url is None
    assert settings.embedded_database
    assert settings.redis_url is None
    assert settings.embedded_redis
    assert settings.app_database_url is None
    assert settings.app_db_user == "agency_app"
    assert settings.db_role == "app"
    assert (settings.db_pool_min, settings.db_pool_max) == (2, 10)
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.data_dir == Path(".data").resolve()
    assert settings.jwt_keys_dir == settings.data_dir / "jwt-keys"
    assert settings.agency_timezone == "America/New_York"
    assert settings.log_format == "auto"
    assert settings.log_level == "INFO"
    assert settings.upload_max_bytes == 512 * 1024 * 1024
    assert settings.access_token_ttl_s == 900
    assert settings.password_time_cost == 3
    assert settings.ssn_hash_key is None
    assert settings.secure_cookies is False


def test_blank_values_mean_the_default() -> None:
    settings = load_settings({"AGENCY_PORT": "  ", "LOG_LEVEL": "", "AGENCY_ENV": " "})
    assert settings.port == 8000
    assert settings.log_level == "INFO"
    assert settings.environment == "development"


def test_values_are_read_and_normalized() -> None:
    settings = load_settings(
        {
            "AGENCY_ENV": "Test",
            "AGENCY_PORT": " 9001 ",
            "LOG_LEVEL": "Warning",
            "DB_POOL_MIN": "3",
            "DB_POOL_MAX": "3",
            "AGENCY_TIMEZONE": "America/Chicago",
            "SSN_HASH_KEY": GOOD_KEY,
            "REDIS_URL": "unix:///tmp/redis.sock",
        }
    )
    assert settings.environment == "test"
    assert settings.port == 9001
    assert settings.log_level == "WARNING"
    assert (settings.db_pool_min, settings.db_pool_max) == (3, 3)
    assert settings.agency_timezone == "America/Chicago"
    assert settings.ssn_hash_key == GOOD_KEY.encode()
    assert settings.redis_url == "unix:///tmp/redis.sock"


INTEGER_VARIABLES = [
    "DB_POOL_MIN",
    "DB_POOL_MAX",
    "AGENCY_PORT",
    "UPLOAD_MAX_BYTES",
    "REMITTANCE_CLIENTS_PER_TRANSACTION",
    "ACCESS_TOKEN_TTL_S",
    "REFRESH_TOKEN_TTL_S",
    "PASSWORD_TIME_COST",
    "PASSWORD_MEMORY_KIB",
    "LOGIN_FAILURES_PER_USERNAME",
    "LOGIN_FAILURES_PER_ADDRESS",
    "LOGIN_WINDOW_S",
    "PORTAL_SESSION_TTL_S",
]
CHOICE_VARIABLES = ["AGENCY_ENV", "AGENCY_DB_ROLE", "LOG_FORMAT", "LOG_LEVEL"]
URL_CASES = [
    ("DATABASE_URL", "mysql://db.example/agency"),
    ("DATABASE_URL", "postgresql:///agency"),
    ("DATABASE_URL", "db.example:5432/agency"),
    ("APP_DATABASE_URL", "http://db.example/agency"),
    ("APP_DATABASE_URL", "postgresql:///agency"),
    ("REDIS_URL", "http://cache.example:6379"),
    ("REDIS_URL", "redis:///0"),
]


def _assert_names(error: pytest.ExceptionInfo[SettingsError], variable: str) -> None:
    assert error.value.variable == variable
    assert str(error.value).startswith(f"{variable}: ")


@pytest.mark.parametrize("variable", INTEGER_VARIABLES)
@pytest.mark.parametrize("value", ["abc", "1.5", "0", "-1", str(10**13)])
def test_bad_integer_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({variable: value})
    _assert_names(error, variable)


@pytest.mark.parametrize("variable", CHOICE_VARIABLES)
def test_bad_choice_names_the_variable(variable: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({variable: "sideways"})
    _assert_names(error, variable)
    assert "sideways" in error.value.reason


@pytest.mark.parametrize(("variable", "value"), URL_CASES)
def test_bad_url_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({variable: value})
    _assert_names(error, variable)


def test_good_urls_are_accepted() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgres://owner@db.example:5432/agency",
            "APP_DATABASE_URL": "postgresql://app@/agency?host=/run/postgresql",
            "REDIS_URL": "rediss://cache.example:6380/1",
        }
    )
    assert settings.database_url == "postgres://owner@db.example:5432/agency"
    assert settings.app_database_url == "postgresql://app@/agency?host=/run/postgresql"
    assert settings.redis_url == "rediss://cache.example:6380/1"


PRODUCTION_COMPLETE = {
    "AGENCY_ENV": "production",
    "DATABASE_URL": "postgresql://owner@db.example/agency",
    "REDIS_URL": "redis://cache.example:6379/0",
    "SSN_HASH_KEY": GOOD_KEY,
}


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "SSN_HASH_KEY"])
def test_production_requires_its_servers_and_key(missing: str) -> None:
    environ = {k: v for k, v in PRODUCTION_COMPLETE.items() if k != missing}
    with pytest.raises(SettingsError) as error:
        load_settings(environ)
    _assert_names(error, missing)


def test_production_with_everything_set_starts() -> None:
    settings = load_settings(PRODUCTION_COMPLETE)
    assert settings.environment == "production"
    assert settings.secure_cookies is True
    assert not settings.embedded_database
    assert not settings.embedded_redis


def test_short_ssn_hash_key_is_refused() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"SSN_HASH_KEY": "k" * 31})
    _assert_names(error, "SSN_HASH_KEY")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "EST5EDT/../../etc", "../passwd"])
def test_unknown_timezone_is_refused(zone: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"AGENCY_TIMEZONE": zone})
    _assert_names(error, "AGENCY_TIMEZONE")
    assert zone in error.value.reason


def test_pool_max_below_min_is_refused() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"DB_POOL_MIN": "5", "DB_POOL_MAX": "4"})
    _assert_names(error, "DB_POOL_MAX")
    assert "DB_POOL_MIN (5)" in error.value.reason


@pytest.mark.parametrize(
    ("owner_url", "app_url"),
    [
        (
            "postgresql://owner:s3cret@db.example:5432/agency?sslmode=require",
            "postgresql://agency_app@db.example:5432/agency?sslmode=require",
        ),
        ("postgres://db.example/agency", "postgres://agency_app@db.example/agency"),
        (
            "postgresql://postgres@/agency?host=/tmp/x",
            "postgresql://agency_app@/agency?host=/tmp/x",
        ),
        (
            "postgresql://owner:p%40ss@[::1]:5433/agency",
            "postgresql://agency_app@[::1]:5433/agency",
        ),
    ],
)
def test_app_role_url_is_derived_from_the_owner_url(owner_url: str, app_url: str) -> None:
    settings = load_settings({"DATABASE_URL": owner_url})
    assert settings.connection_url() == app_url
    owner = load_settings({"DATABASE_URL": owner_url, "AGENCY_DB_ROLE": "owner"})
    assert owner.connection_url() == owner_url


def test_app_role_url_follows_app_db_user_or_an_explicit_url() -> None:
    owner_url = "postgresql://postgres@/agency?host=/tmp/x"
    renamed = load_settings({"DATABASE_URL": owner_url, "APP_DB_USER": "collector_api"})
    assert renamed.connection_url() == "postgresql://collector_api@/agency?host=/tmp/x"
    explicit_url = "postgresql://app:pw@replica.example/agency"
    explicit = load_settings({"DATABASE_URL": owner_url, "APP_DATABASE_URL": explicit_url})
    assert explicit.connection_url() == explicit_url


def test_connection_url_without_a_database_names_database_url() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({}).connection_url()
    _assert_names(error, "DATABASE_URL")


def _refused_by_cli(command: str, **environ: str) -> str:
    """The one line `agency <command>` prints when it stops with exit code 2."""
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", command],
        env={**os.environ, **environ},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_cli_reports_a_bad_setting_in_one_line_and_exits_2() -> None:
    line = _refused_by_cli("migrate", AGENCY_PORT="notaport")
    assert "AGENCY_PORT" in line
    assert "notaport" in line


@pytest.mark.parametrize(
    "value", ["not json", "[1]", '{"nonsense": 1}', '{"ssn_factor": -1}', '{"cap_cents": 1.5}']
)
def test_bad_score_weights_name_the_variable(value: str) -> None:
    # Settings reads the JSON object; the scoring weights check what is in it when the
    # API and the worker start.
    with pytest.raises(SettingsError) as error:
        configured_weights(load_settings({"AGENCY_SCORE_WEIGHTS": value}))
    _assert_names(error, "AGENCY_SCORE_WEIGHTS")


def test_score_weights_override_the_defaults() -> None:
    weights = configured_weights(load_settings({"AGENCY_SCORE_WEIGHTS": '{"ssn_factor": 3}'}))
    assert weights.ssn_factor == 3
    assert weights.address_factor == configured_weights(load_settings({})).address_factor


def test_bad_score_weights_stop_the_worker_before_it_starts() -> None:
    line = _refused_by_cli("worker", AGENCY_SCORE_WEIGHTS='{"ssn_factor": -1}')
    assert line == (
        "agency: configuration error: AGENCY_SCORE_WEIGHTS: ssn_factor must be a positive number"
    )
