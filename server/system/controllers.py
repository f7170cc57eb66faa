"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from redis.exceptions import RedisError

from server.kit import db
from server.kit.redis import get_redis

PROBE_TIMEOUT_S = 1.0


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    database: str
    redis: str


async def _database_answers() -> bool:
    try:
        answer = await asyncio.wait_for(db.fetchval("SELECT 1"), PROBE_TIMEOUT_S)
        return bool(answer == 1)
    except Exception:  # refused, reset, timed out, pool closed: all mean "not ready"
        return False


async def _redis_answers() -> bool:
    try:
        return bool(await asyncio.wait_for(get_redis().ping(), PROBE_TIMEOUT_S))
    except (RedisError, OSError, TimeoutError, RuntimeError):
        return False


class SystemController(Controller):
    tags = ["system"]

    @get("/health", operation_id="Health", exclude_from_auth=True)
    async def health(self) -> Health:
        """The process is up and serving requests."""
        return Health(status="ok")

    @get(
        "/ready",
        operation_id="Ready",
        exclude_from_auth=True,
        responses={503: ResponseSpec(data_container=Readiness, description="PostgreSQL is down")},
    )
    async def ready(self) -> Response[Readiness]:
        """200 while PostgreSQL answers; Redis's state is reported but not required."""
        database_ok, redis_ok = await asyncio.gather(_database_answers(), _redis_answers())
        body = Readiness(
            status="ready" if database_ok else "unavailable",
            database="ok" if database_ok else "down",
            redis="ok" if redis_ok else "down",
        )
        return Response(
            body, status_code=HTTP_200_OK if database_ok else HTTP_503_SERVICE_UNAVAILABLE
        )
