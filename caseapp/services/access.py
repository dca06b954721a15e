"""Recording of authorization denials."""

from __future__ import annotations

from flask import current_app, request

from caseapp.security.permissions import Permission


def record_denial(user: object, permission: Permission | str) -> None:
    """Record that a user was refused a permission."""
    current_app.logger.warning(
        "authz.deny user=%s permission=%s endpoint=%s",
        getattr(user, "id", None),
        permission,
        request.endpoint if request else None,
    )
