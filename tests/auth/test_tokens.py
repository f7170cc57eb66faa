"""Access-token attacks: every forged or stale token is refused with 401."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.fixtures import Caller


def _claims_of(token: str) -> dict[str, object]:
    return jwt.decode(token, options={"verify_signature": False})


def _signed(claims: dict[str, object], *, kid: str | None = None, key: object = None) -> str:
    from server.auth.tokens import key_set

    keys = key_set()
    return jwt.encode(
        claims,
        key or keys.private,
        algorithm="EdDSA",
        headers={"kid": kid or keys.active_kid},
    )


async def _me(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


async def test_a_valid_token_is_accepted(admin: Caller) -> None:
    response = await admin.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["role"] == "admin"


async def test_expired_token_is_refused(http: httpx.AsyncClient, admin: Caller) -> None:
    claims = _claims_of(admin.token)
    past = datetime.now(UTC) - timedelta(hours=1)
    claims.update(iat=past - timedelta(minutes=15), nbf=past - timedelta(minutes=15), exp=past)
    response = await _me(http, _signed(claims))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_tampered_payload_is_refused(http: httpx.AsyncClient, admin: Caller) -> None:
    header, payload, signature = admin.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    claims["sub"] = "00000000-0000-0000-0000-000000000001"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert (await _me(http, f"{header}.{forged}.{signature}")).status_code == 401


@pytest.mark.parametrize(("claim", "value"), [("aud", "someone-else"), ("iss", "not-us")])
async def test_wrong_audience_or_issuer_is_refused(
    http: httpx.AsyncClient, admin: Caller, claim: str, value: str
) -> None:
    claims = _claims_of(admin.token)
    claims[claim] = value
    assert (await _me(http, _signed(claims))).status_code == 401


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub"])
async def test_a_required_claim_missing_is_refused(
    http: httpx.AsyncClient, admin: Caller, missing: str
) -> None:
    claims = _claims_of(admin.token)
    del claims[missing]
    assert (await _me(http, _signed(claims))).status_code == 401


async def test_alg_none_is_refused(http: httpx.AsyncClient, admin: Caller) -> None:
    unsigned = jwt.encode(_claims_of(admin.token), key=None, algorithm="none")
    assert (await _me(http, unsigned)).status_code == 401


async def test_hmac_signed_with_the_public_key_is_refused(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    """Algorithm confusion: the verifier's public key used as an HMAC secret."""
    from server.auth.tokens import key_set

    keys = key_set()
    public_pem = keys.public[keys.active_kid].public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": keys.active_kid}
    signing_input = (
        base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
        + "."
        + base64.urlsafe_b64encode(json.dumps(_claims_of(admin.token), default=str).encode())
        .decode()
        .rstrip("=")
    )
    import hashlib
    import hmac

    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = signing_input + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")
    assert (await _me(http, forged)).status_code == 401


async def test_unknown_key_id_is_refused(http: httpx.AsyncClient, admin: Caller) -> None:
    assert (await _me(http, _signed(_claims_of(admin.token), kid="no-such-key"))).status_code == 401


async def test_a_key_we_do_not_hold_is_refused(http: httpx.AsyncClient, admin: Caller) -> None:
    stranger = Ed25519PrivateKey.generate()
    assert (await _me(http, _signed(_claims_of(admin.token), key=stranger))).status_code == 401


async def test_garbage_and_missing_credentials_are_refused(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/v1/me")).status_code == 401
    assert (await _me(http, "not.a.token")).status_code == 401
    basic = await http.get("/api/v1/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert basic.status_code == 401


async def test_a_second_key_verifies_during_rotation(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    """Tokens signed with the previous key keep working once a new key signs."""
    from server.auth import tokens
    from server.kit.keyring import new_signing_key
    from server.kit.settings import get_settings

    old_token = admin.token
    new_kid = new_signing_key(get_settings().jwt_keys_dir)
    tokens.key_set.cache_clear()
    try:
        assert tokens.key_set().active_kid == new_kid
        assert (await _me(http, old_token)).status_code == 200
        fresh, _ = tokens.issue_access_token({"sub": admin.user_id, "role": "admin"})
        assert jwt.get_unverified_header(fresh)["kid"] == new_kid
        assert (await _me(http, fresh)).status_code == 200
    finally:
        (get_settings().jwt_keys_dir / f"{new_kid}.pem").unlink()
        tokens.key_set.cache_clear()


@pytest.mark.parametrize(("lifetime_s", "accepted"), [(4, True), (-6, False)])
async def test_token_times_are_read_on_the_one_clock(
    http: httpx.AsyncClient, admin: Caller, lifetime_s: int, accepted: bool
) -> None:
    """Expiry is judged by server.kit.clock (with 5 s of leeway), not PyJWT's reading of the
    machine's clock: a token a year old by the real clock is good while the clock says it
    is young, and one past its expiry by more than the leeway is refused."""
    from server.kit import clock

    claims = _claims_of(admin.token)
    then = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)
    claims.update(iat=then - timedelta(minutes=1), nbf=then - timedelta(minutes=1),
                  exp=then + timedelta(seconds=lifetime_s))  # fmt: skip
    with clock.running_from(then):
        response = await _me(http, _signed(claims))
    assert (response.status_code == 200) is accepted, response.text
