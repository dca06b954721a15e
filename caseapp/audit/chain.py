"""The HMAC chain: canonical form of an entry and its MAC."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
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


def canonical(entry: dict[str, Any]) -> bytes:
    """Return the canonical bytes of an entry (sorted keys, no spaces, times as ISO 8601)."""

    def norm(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat(timespec="microseconds")
        return value

    body = {name: norm(entry.get(name)) for name in CHAINED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compute_mac(key: bytes, prev_mac: str, entry: dict[str, Any]) -> str:
    """Return HMAC-SHA256(key, prev_mac | canonical entry) as hex."""
    return hmac.new(key, prev_mac.encode("ascii") + b"|" + canonical(entry), hashlib.sha256).hexdigest()
