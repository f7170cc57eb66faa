"""Access tokens (JWT) and the opaque secrets behind refresh and client API tokens.

Access tokens: EdDSA only (the algorithm is pinned, so `alg=none` and HS/RS confusion
are refused), `kid` names the key so several can verify during a rotation, and `exp`,
`iat`, `iss`, `aud` and `sub` are required and checked. Refresh and API tokens are random
secrets stored only as their SHA-256 (they carry 256 bits of entropy, so a fast hash is
enough and lets the lookup be an index probe).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.kit import clock
from server.kit.keyring import load_signing_keys
from server.kit.settings import get_settings

ALGORITHM = "EdDSA"
# Clock skew allowed between the processes that sign and verify, in seconds.
LEEWAY_S = 5
REFRESH_PREFIX = "rt_"
API_TOKEN_PREFIX = "agk_"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class KeySet:
    active_kid: str
    private: Ed25519PrivateKey
    public: dict[str, Ed25519PublicKey]


@lru_cache(maxsize=1)
def key_set() -> KeySet:
    active, keys = load_signing_keys(get_settings())
    return KeySet(
        active_kid=active,
        private=keys[active],
        public={kid: key.public_key() for kid, key in keys.items()},
    )


def issue_access_token(claims: dict[str, Any], now: datetime | None = None) -> tuple[str, int]:
    settings = get_settings()
    keys = key_set()
    issued = now or clock.now()
    lifetime = settings.access_token_ttl_s
    payload = {
        **claims,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "nbf": issued - timedelta(seconds=5),
        "exp": issued + timedelta(seconds=lifetime),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(payload, keys.private, algorithm=ALGORITHM, headers={"kid": keys.active_kid})
    return token, lifetime


# Verified signatures, by token: a client sends the same access token with every request
# of its lifetime, and the Ed25519 check is most of what reading one costs. The times are
# checked on every request (below); a token that fails is never kept.
VERIFIED_TOKENS_KEPT = 4096


@lru_cache(maxsize=VERIFIED_TOKENS_KEPT)
def _signed_claims(token: str) -> dict[str, Any]:
    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken("malformed token") from error
    public = key_set().public.get(str(header.get("kid")))
    if public is None:
        raise InvalidToken("unknown key id")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            # The times are checked below against the one clock (server/kit/clock.py), which
            # also signed them, rather than PyJWT's own reading of the machine's.
            options={
                "require": ["exp", "iat", "iss", "aud", "sub"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    return claims


def verify_access_token(token: str) -> dict[str, Any]:
    claims = dict(_signed_claims(token))
    now = clock.now().timestamp()
    try:
        expires, issued = float(claims["exp"]), float(claims["iat"])
        not_before = float(claims.get("nbf", issued))
    except (TypeError, ValueError) as error:
        raise InvalidToken("malformed time claims") from error
    if expires <= now - LEEWAY_S:
        raise InvalidToken("the token has expired")
    if not_before > now + LEEWAY_S or issued > now + LEEWAY_S:
        raise InvalidToken("the token is not valid yet")
    return claims


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
