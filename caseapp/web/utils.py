"""Small helpers shared by the web areas."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None, default: str = "/") -> str:
    """Return target if it is a local path (one leading slash, no backslash, no host), else default."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target


def client_ip() -> str | None:
    """Return the client's address as the WSGI server (or ProxyFix in front of it) reports it."""
    return request.remote_addr


def wants_json() -> bool:
    """Say whether the request belongs to the JSON API."""
    return request.path.startswith("/api/")


def acting_user() -> Any:
    """Return the signed-in user object (not the proxy) to hand to services."""
    from flask_login import current_user

    return current_user._get_current_object()
