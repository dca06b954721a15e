"""Key material: the key-encryption keyring, the blind-index root key and the audit MAC key.

Keys live only in process memory, loaded from configuration (environment in production, instance/keys.json
in development). Nothing here ever prints a key: `repr` shows ids only.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_BYTES = 32
KEY_SETTINGS = ("CASEAPP_KEK", "CASEAPP_BIDX_KEY", "CASEAPP_AUDIT_KEY")


class KeyConfigError(ValueError):
    """Key material is missing or malformed; the message names the variable, never the value."""


def _decode(name: str, value: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{name} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyConfigError(f"{name} must decode to {KEY_BYTES} bytes, not {len(raw)}")
    return raw


def parse_kek_ring(value: str) -> tuple[str, dict[str, bytes]]:
    """Parse `id:base64,id:base64` into (current id, {id: key}); the first entry is current."""
    ring: dict[str, bytes] = {}
    current = None
    for part in (p.strip() for p in value.split(",") if p.strip()):
        key_id, sep, encoded = part.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or len(key_id) > 16 or not key_id.isalnum():
            raise KeyConfigError("CASEAPP_KEK entries must look like id:base64 (id: 1-16 letters/digits)")
        if key_id in ring:
            raise KeyConfigError(f"CASEAPP_KEK names key id {key_id} twice")
        ring[key_id] = _decode(f"CASEAPP_KEK[{key_id}]", encoded)
        current = current or key_id
    if current is None:
        raise KeyConfigError("CASEAPP_KEK is empty")
    return current, ring


@dataclass(frozen=True)
class Keyring:
    """All key material of a running application."""

    current_kek_id: str
    keks: dict[str, bytes] = field(repr=False)
    bidx_root: bytes = field(repr=False)
    audit_key: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"Keyring(current_kek_id={self.current_kek_id!r}, kek_ids={sorted(self.keks)!r})"

    def kek(self, key_id: str) -> bytes:
        """Return the KEK with this id, or raise KeyError naming the id."""
        try:
            return self.keks[key_id]
        except KeyError:
            raise KeyError(
                f"KEK {key_id!r} is not configured (was it removed before `keys rotate`?)"
            ) from None


def keyring_from_config(config: Any) -> Keyring:
    """Build the keyring from CASEAPP_KEK, CASEAPP_BIDX_KEY and CASEAPP_AUDIT_KEY."""
    missing = [n for n in KEY_SETTINGS if not config.get(n)]
    if missing:
        raise KeyConfigError("missing key material: " + ", ".join(missing))
    current, ring = parse_kek_ring(config["CASEAPP_KEK"])
    return Keyring(
        current_kek_id=current,
        keks=ring,
        bidx_root=_decode("CASEAPP_BIDX_KEY", config["CASEAPP_BIDX_KEY"]),
        audit_key=_decode("CASEAPP_AUDIT_KEY", config["CASEAPP_AUDIT_KEY"]),
    )


def new_key_material(kek_id: str | None = None) -> dict[str, str]:
    """Return fresh key material as configuration values (32 random bytes each, base64)."""

    def b64() -> str:
        return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()

    return {
        "CASEAPP_KEK": f"{kek_id or 'k' + secrets.token_hex(4)}:{b64()}",
        "CASEAPP_BIDX_KEY": b64(),
        "CASEAPP_AUDIT_KEY": b64(),
    }


class KeysUnavailable(RuntimeError):
    """No key material is configured in this application."""


def current_keyring() -> Keyring:
    """Return the running application's keyring, or raise KeysUnavailable saying what to do."""
    from flask import current_app

    ring = current_app.extensions.get("caseapp.keyring")
    if ring is None:
        raise KeysUnavailable(
            "no key material configured: run `make run` once (development) or set CASEAPP_KEK, "
            "CASEAPP_BIDX_KEY and CASEAPP_AUDIT_KEY"
        )
    return ring


def new_signing_key() -> str:
    """Return a fresh Ed25519 private key for audit checkpoints, as base64 of its 32-byte seed."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def signing_key_from_config(value: str | None) -> Ed25519PrivateKey:
    """Return the audit checkpoint signing key from CASEAPP_AUDIT_SIGNING_KEY, or raise KeyConfigError."""
    if not value:
        raise KeyConfigError("CASEAPP_AUDIT_SIGNING_KEY is empty")
    return Ed25519PrivateKey.from_private_bytes(_decode("CASEAPP_AUDIT_SIGNING_KEY", value))
