"""The HMAC chain: canonical form of an entry and its MAC."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

GENESIS = "0" * 64

# The fields covered by the MAC, in the stored form (what verify reads back from the table).
CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "actor_agency",
    "source_ip",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "changed_fields",
    "details",
    "request_id",
)


# One encoder for every entry (json.dumps builds a new one per call); its output is the canonical form.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# The chained fields in their canonical (sorted) order, and an encoder for dicts already in that order.
SORTED_FIELDS = tuple(sorted(CHAINED_FIELDS))
_IN_ORDER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _norm(value: Any) -> Any:
    return value.isoformat(timespec="microseconds") if isinstance(value, datetime) else value


def canonical(entry: dict[str, Any]) -> bytes:
    """Return the canonical bytes of an entry (sorted keys, no spaces, times as ISO 8601)."""
    return _ENCODER.encode({name: _norm(entry.get(name)) for name in CHAINED_FIELDS}).encode("utf-8")


_KEYS = tuple(f'"{name}":' for name in SORTED_FIELDS)


def _json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return encode_basestring(value)  # the json module's own string escaping (ensure_ascii=False)
    if isinstance(value, datetime):
        return '"' + value.isoformat(timespec="microseconds") + '"'
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__repr__(value)
    return _IN_ORDER.encode(value)


def canonical_values(values: Any) -> bytes:
    """The same bytes as `canonical`, from the field values in SORTED_FIELDS order (verify's fast path)."""
    return ("{" + ",".join([k + _json(v) for k, v in zip(_KEYS, values, strict=True)]) + "}").encode("utf-8")


def mac_of(key: bytes, prev_mac: str, canonical_bytes: bytes) -> str:
    """Return HMAC-SHA256(key, prev_mac | canonical bytes) as hex."""
    return hmac.digest(key, prev_mac.encode("ascii") + b"|" + canonical_bytes, hashlib.sha256).hex()


def compute_mac(key: bytes, prev_mac: str, entry: dict[str, Any]) -> str:
    """Return HMAC-SHA256(key, prev_mac | canonical entry) as hex."""
    return mac_of(key, prev_mac, canonical(entry))
