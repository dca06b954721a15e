"""Typed errors that services raise; `caseapp.web.errors` maps them to pages and JSON bodies."""

from __future__ import annotations


class CaseappError(Exception):
    """Base of the errors a service may raise on purpose."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(CaseappError):
    """The record does not exist or is outside the user's scope (never say which)."""

    status = 404
    code = "not_found"


class PermissionDenied(CaseappError):
    """The user's role does not allow the action."""

    status = 403
    code = "forbidden"


class ReauthRequired(CaseappError):
    """A sensitive step needs the password (and the code, where enrolled) confirmed within minutes."""

    status = 403
    code = "reauth_required"


class InvalidTransition(CaseappError):
    """The record's state does not allow the requested change."""

    status = 409
    code = "invalid_transition"


class StaleVersion(CaseappError):
    """Someone changed the record since the user loaded it."""

    status = 409
    code = "stale_version"


class ValidationFailed(CaseappError):
    """Input breaks a rule; `fields` says which field and why."""

    status = 400
    code = "validation_failed"


class TooLarge(CaseappError):
    """The upload is larger than the configured limit."""

    status = 413
    code = "too_large"


class TooManyAttempts(CaseappError):
    """The caller must wait before trying again."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str = "", retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OpenWork(InvalidTransition):
    """A case cannot be closed while work on it is open; `fields` lists what is open, by kind."""

    code = "open_work"
