"""Recording of authorization denials."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request

from caseapp import audit
from caseapp.audit import AuditAction, Outcome
from caseapp.security.permissions import Permission


def record_denial(
    user: Any, permission: Permission | str, object_type: str = "endpoint", object_id: str | None = None
) -> None:
    """Record, in its own transaction, that a user was refused; it survives the request's rollback."""
    endpoint = request.endpoint if has_request_context() else None
    current_app.logger.warning(
        "authz.deny user=%s permission=%s endpoint=%s", getattr(user, "id", None), permission, endpoint
    )
    audit.record_separately(
        AuditAction.AUTHZ_DENY,
        actor=user,
        object_type=object_type,
        object_id=object_id or endpoint,
        outcome=Outcome.DENIED,
        details={"permission": str(permission), "method": request.method if has_request_context() else None},
    )
