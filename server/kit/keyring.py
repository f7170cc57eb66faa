"""Signing and hashing keys kept on disk.

In production the operator provides them (JWT_KEYS_DIR with one PEM per key id,
SSN_HASH_KEY); in development and tests they are made once under the data directory, so
a second `agency run` keeps signing with the same keys and matching the same SSNs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.kit import clock
from server.kit.settings import Settings, SettingsError

_SSN_KEY_FILE = "ssn-hash.key"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def new_signing_key(keys_dir: Path) -> str:
    """Add a signing key; its id sorts after every earlier one, so it becomes active."""
    kid = clock.now().strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(keys_dir / f"{kid}.pem", pem)
    return kid


def ensure_development_keys(settings: Settings) -> None:
    if settings.environment == "production":
        return
    if not any(settings.jwt_keys_dir.glob("*.pem")):
        new_signing_key(settings.jwt_keys_dir)
    if settings.ssn_hash_key is None and not (settings.data_dir / _SSN_KEY_FILE).exists():
        _write_private(settings.data_dir / _SSN_KEY_FILE, secrets.token_hex(32).encode())


def load_signing_keys(settings: Settings) -> tuple[str, dict[str, Ed25519PrivateKey]]:
    """(active key id, every key by id). Every key verifies; only the active one signs."""
    keys: dict[str, Ed25519PrivateKey] = {}
    for path in sorted(settings.jwt_keys_dir.glob("*.pem")):
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SettingsError("JWT_KEYS_DIR", f"{path.name} is not an Ed25519 private key")
        keys[path.stem] = key
    if not keys:
        raise SettingsError("JWT_KEYS_DIR", f"no *.pem signing keys in {settings.jwt_keys_dir}")
    active = settings.jwt_active_kid or max(keys)
    if active not in keys:
        raise SettingsError("JWT_ACTIVE_KID", f"no key {active!r} in {settings.jwt_keys_dir}")
    return active, keys


def ssn_hash_key(settings: Settings) -> bytes:
    if settings.ssn_hash_key is not None:
        return settings.ssn_hash_key
    path = settings.data_dir / _SSN_KEY_FILE
    if not path.exists():
        raise SettingsError("SSN_HASH_KEY", "not set and no development key was made")
    return path.read_bytes().strip()
