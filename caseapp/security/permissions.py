"""Roles, permissions and the one table that maps them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's function; the agency is their scope."""

    CASE_WORKER = "case_worker"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    REPORTING_OFFICER = "reporting_officer"  # DP3A's SIMFONI-PPA operator: the recap and the exact export
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    """Closed vocabulary of what a route or service may require."""

    ACCOUNT_SELF = "account:self"  # own home page, password, language
    CASE_CREATE = "case:create"
    CASE_READ = "case:read"
    CASE_READ_AGENCY = "case:read:agency"  # every case the agency owns, not only one's own
    CASE_UPDATE = "case:update"
    CASE_ASSIGN = "case:assign"
    CASE_CLOSE_REQUEST = "case:close:request"
    CASE_CLOSE_APPROVE = "case:close:approve"
    CASE_ACCESS_LOG = "case:access_log"
    # Place or lift a legal hold on a closed case of one's agency (retention never shreds a held case).
    CASE_LEGAL_HOLD = "case:legal_hold"
    ATTACHMENT_DELETE = "attachment:delete"  # soft-delete a case's attachment, with a reason
    CASE_REVIEW = "case:review"  # review assessments, approve or return care plans
    # Record a legal milestone: on one's own cases, or (police, prosecutor, court) on a case shared with one.
    LEGAL_EVENT_RECORD = "legal_event:record"
    # Record, read and triage the complaints one's agency received, and record outreach on them.
    COMPLAINT_HANDLE = "complaint:handle"
    REFERRAL_SEND = "referral:send"
    REFERRAL_RESPOND = "referral:respond"
    # Answer for an agency's referrals: assign incoming ones (and read what they share), refer without
    # consent on a legal basis, share a restricted child's identity.
    REFERRAL_SUPERVISE = "referral:supervise"
    REPORT_CASELOAD = "report:caseload"
    REPORT_AGGREGATE = "report:aggregate"
    REPORT_ALL_AGENCIES = "report:all_agencies"  # the recap of every agency or any one; else one's own
    REPORT_SIMFONI = "report:simfoni"  # the exact, case-level SIMFONI-PPA export (password asked again)
    AUDIT_READ = "audit:read"
    USER_MANAGE = "user:manage"
    # Approve an account given a role that reads cases (two-person rule; services/users.py `may_approve`).
    USER_APPROVE = "user:approve"
    AGENCY_MANAGE = "agency:manage"
    REFERENCE_MANAGE = "reference:manage"
    KEYS_ROTATE = "keys:rotate"


_CASE_WORK = frozenset(
    {
        Permission.ACCOUNT_SELF,
        Permission.CASE_CREATE,
        Permission.CASE_READ,
        Permission.CASE_UPDATE,
        Permission.CASE_CLOSE_REQUEST,
        Permission.LEGAL_EVENT_RECORD,
        Permission.COMPLAINT_HANDLE,
        Permission.REFERRAL_SEND,
        Permission.REFERRAL_RESPOND,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASE_WORKER: _CASE_WORK,
    Role.SUPERVISOR: _CASE_WORK
    | {
        Permission.CASE_READ_AGENCY,
        Permission.CASE_ASSIGN,
        Permission.CASE_CLOSE_APPROVE,
        Permission.CASE_REVIEW,
        Permission.CASE_ACCESS_LOG,
        Permission.CASE_LEGAL_HOLD,
        Permission.ATTACHMENT_DELETE,
        Permission.REFERRAL_SUPERVISE,
        Permission.REPORT_CASELOAD,
        Permission.REPORT_AGGREGATE,
        Permission.USER_APPROVE,
    },
    Role.ANALYST: frozenset(
        {Permission.ACCOUNT_SELF, Permission.REPORT_AGGREGATE, Permission.REPORT_ALL_AGENCIES}
    ),
    Role.REPORTING_OFFICER: frozenset(
        {
            Permission.ACCOUNT_SELF,
            Permission.REPORT_AGGREGATE,
            Permission.REPORT_ALL_AGENCIES,
            Permission.REPORT_SIMFONI,
        }
    ),
    Role.AUDITOR: frozenset({Permission.ACCOUNT_SELF, Permission.AUDIT_READ}),
    # Separation of duties: administrators never see case content.
    Role.ADMIN: frozenset(
        {
            Permission.ACCOUNT_SELF,
            Permission.USER_MANAGE,
            Permission.USER_APPROVE,
            Permission.AGENCY_MANAGE,
            Permission.REFERENCE_MANAGE,
            Permission.KEYS_ROTATE,
        }
    ),
}


def role_has(role: Role | str, permission: Permission) -> bool:
    """Say whether the role grants the permission."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
