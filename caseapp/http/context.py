"""Request helpers shared by the web pages and the API."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from caseapp.models import User


def acting_user() -> User:
    """Return the signed-in user (the model, not the proxy) to hand to services."""
    user: User = current_user._get_current_object()
    return user


def client_ip() -> str | None:
    """Return the client's address as the WSGI server (or ProxyFix in front of it) reports it."""
    return request.remote_addr


def wants_json() -> bool:
    """Say whether the request belongs to the JSON API."""
    return request.path.startswith("/api/")
