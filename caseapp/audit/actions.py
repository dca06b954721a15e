"""Closed vocabularies of the audit log."""

from enum import StrEnum


class AuditAction(StrEnum):
    """Everything the audit log can say happened."""

    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGIN_THROTTLED = "auth.login_throttled"
    AUTH_LOGOUT = "auth.logout"
    AUTH_PASSWORD_CHANGE = "auth.password_change"
    AUTH_SESSION_REVOKED = "auth.session_revoked"
    AUTH_TOKEN_CREATE = "auth.token_create"
    AUTH_TOKEN_REVOKE = "auth.token_revoke"
    AUTHZ_DENY = "authz.deny"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_ROLE_CHANGE = "user.role_change"
    USER_DEACTIVATE = "user.deactivate"
    USER_PASSWORD_RESET = "user.password_reset"
    AGENCY_UPDATE = "agency.update"
    AUDIT_VIEW = "audit.view"
    AUDIT_VERIFY = "audit.verify"
    EXPORT_CREATE = "export.create"
    KEYS_ROTATE = "keys.rotate"
    KEYS_SHRED = "keys.shred"
    CASE_LIST = "case.list"
    CASE_VIEW = "case.view"
    CASE_CREATE = "case.create"
    CASE_UPDATE = "case.update"
    CASE_TRANSITION = "case.transition"
    CASE_ASSIGN = "case.assign"
    CASE_NIK_REVEAL = "case.nik_reveal"
    CASE_SEARCH = "case.search"
    NOTE_CREATE = "note.create"
    SERVICE_CREATE = "service.create"
    REFERRAL_SEND = "referral.send"
    REFERRAL_ACCEPT = "referral.accept"
    REFERRAL_DECLINE = "referral.decline"
    REFERRAL_COMPLETE = "referral.complete"
    REFERRAL_WITHDRAW = "referral.withdraw"
    REPORT_VIEW = "report.view"


class Outcome(StrEnum):
    """How an audited attempt ended."""

    SUCCESS = "success"
    DENIED = "denied"
    ERROR = "error"
