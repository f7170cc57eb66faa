from __future__ import annotations

import httpx


async def test_health_answers_without_credentials(http: httpx.AsyncClient) -> None:
    response = await http.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_database_and_redis(http: httpx.AsyncClient) -> None:
    response = await http.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "redis": "ok"}


async def test_openapi_schema_is_served(http: httpx.AsyncClient) -> None:
    response = await http.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/auth/login" in paths
    assert "/ready" in paths


async def test_request_id_is_echoed_when_given(http: httpx.AsyncClient) -> None:
    response = await http.get("/health", headers={"X-Request-ID": "abc-123.def"})
    assert response.headers["x-request-id"] == "abc-123.def"


async def test_request_id_is_made_when_missing_or_unsafe(http: httpx.AsyncClient) -> None:
    made = await http.get("/health")
    assert len(made.headers["x-request-id"]) == 32
    unsafe = await http.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"
    assert len(unsafe.headers["x-request-id"]) == 32
