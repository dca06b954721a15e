"""Human words for the audit log's codes (actions, outcomes, detail keys), for the audit viewer and a case's
access log. The log itself keeps the codes; only what people read is translated."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from caseapp.audit.actions import AuditAction, Outcome
from caseapp.labels import FIELD_LABELS, Labels, label

AUDIT_ACTION_LABELS: Labels[AuditAction] = Labels(
    {
        AuditAction.AUTH_LOGIN: _l("Signed in"),
        AuditAction.AUTH_LOGIN_FAILED: _l("Failed sign-in"),
        AuditAction.AUTH_LOGIN_THROTTLED: _l("Sign-in held back"),
        AuditAction.AUTH_LOGOUT: _l("Signed out"),
        AuditAction.AUTH_PASSWORD_CHANGE: _l("Changed password"),
        AuditAction.AUTH_PASSWORD_CHECK_FAILED: _l("Wrong current password"),
        AuditAction.AUTH_SESSION_REVOKED: _l("Sessions ended"),
        AuditAction.AUTH_TOKEN_CREATE: _l("Created an API token"),
        AuditAction.AUTH_TOKEN_REVOKE: _l("Revoked an API token"),
        AuditAction.AUTHZ_DENY: _l("Access refused"),
        AuditAction.USER_CREATE: _l("Created a user"),
        AuditAction.USER_UPDATE: _l("Changed a user"),
        AuditAction.USER_ROLE_CHANGE: _l("Changed a user's role"),
        AuditAction.USER_DEACTIVATE: _l("Deactivated a user"),
        AuditAction.USER_PASSWORD_RESET: _l("Reset a password"),
        AuditAction.AGENCY_UPDATE: _l("Changed an agency"),
        AuditAction.AUDIT_VIEW: _l("Viewed the audit log"),
        AuditAction.AUDIT_VERIFY: _l("Verified the audit log"),
        AuditAction.AUDIT_CHECKPOINT: _l("Signed an audit checkpoint"),
        AuditAction.ATTACHMENT_UPLOAD: _l("Uploaded an attachment"),
        AuditAction.ATTACHMENT_REFUSE: _l("Attachment refused"),
        AuditAction.ATTACHMENT_LIST: _l("Listed attachments"),
        AuditAction.ATTACHMENT_DOWNLOAD: _l("Downloaded an attachment"),
        AuditAction.ATTACHMENT_PREVIEW: _l("Previewed an attachment"),
        AuditAction.ATTACHMENT_DELETE: _l("Deleted an attachment"),
        AuditAction.ATTACHMENT_SCAN: _l("Scanned an attachment"),
        AuditAction.ASSESSMENT_CREATE: _l("Recorded an assessment"),
        AuditAction.ASSESSMENT_REVIEW: _l("Reviewed an assessment"),
        AuditAction.CARE_PLAN_CREATE: _l("Wrote a care plan"),
        AuditAction.CARE_PLAN_APPROVE: _l("Approved a care plan"),
        AuditAction.CARE_PLAN_RETURN: _l("Returned a care plan"),
        AuditAction.CARE_PLAN_REMIND: _l("Reminded of a care plan's overdue review"),
        AuditAction.CONFERENCE_RECORD: _l("Recorded a case conference"),
        AuditAction.TASK_COMPLETE: _l("Completed a follow-up task"),
        AuditAction.AUTH_MFA_ENROL: _l("Set up two-factor sign-in"),
        AuditAction.AUTH_MFA_VERIFY: _l("Passed the second factor"),
        AuditAction.AUTH_MFA_FAILED: _l("Wrong second-factor code"),
        AuditAction.AUTH_MFA_RECOVERY_USED: _l("Used a recovery code"),
        AuditAction.AUTH_REAUTH: _l("Confirmed identity again"),
        AuditAction.USER_MFA_RESET: _l("Reset a user's two-factor sign-in"),
        AuditAction.USER_APPROVAL_REQUESTED: _l("Asked for an account to be approved"),
        AuditAction.USER_APPROVE: _l("Approved an account"),
        AuditAction.COMPLAINT_CREATE: _l("Recorded a complaint"),
        AuditAction.COMPLAINT_LIST: _l("Listed complaints"),
        AuditAction.COMPLAINT_VIEW: _l("Viewed a complaint"),
        AuditAction.COMPLAINT_TRIAGE: _l("Triaged a complaint"),
        AuditAction.OUTREACH_RECORD: _l("Recorded an outreach visit"),
        AuditAction.SHELTER_ADMIT: _l("Recorded a shelter admission"),
        AuditAction.SHELTER_DISCHARGE: _l("Recorded a shelter discharge"),
        AuditAction.LEGAL_EVENT_RECORD: _l("Recorded a legal milestone"),
        AuditAction.LEGAL_EVENT_LIST: _l("Listed the legal milestones"),
        AuditAction.DIVERSION_RECORD: _l("Recorded a diversion"),
        AuditAction.EXPORT_CREATE: _l("Downloaded an export"),
        AuditAction.EXPORT_DOWNLOAD: _l("Downloaded a prepared export file"),
        AuditAction.KEYS_ROTATE: _l("Rotated the keys"),
        AuditAction.KEYS_SHRED: _l("Shredded a data key"),
        AuditAction.CASE_LIST: _l("Listed cases"),
        AuditAction.CASE_VIEW: _l("Viewed the case"),
        AuditAction.CASE_CREATE: _l("Registered the case"),
        AuditAction.CASE_UPDATE: _l("Changed the case"),
        AuditAction.CASE_TRANSITION: _l("Moved the case on"),
        AuditAction.CASE_ASSIGN: _l("Assigned the case"),
        AuditAction.CASE_NIK_REVEAL: _l("Showed the NIK"),
        AuditAction.CASE_SEARCH: _l("Searched cases"),
        AuditAction.CASE_INCIDENT_LINK: _l("Linked the case to an incident"),
        AuditAction.CASE_LEGAL_HOLD: _l("Placed a legal hold on the case"),
        AuditAction.CASE_LEGAL_HOLD_LIFT: _l("Lifted the legal hold of the case"),
        AuditAction.CASE_SHRED: _l("Removed the child's identity (retention)"),
        AuditAction.NOTE_CREATE: _l("Added a note"),
        AuditAction.SERVICE_CREATE: _l("Recorded a service"),
        AuditAction.REFERRAL_SEND: _l("Sent a referral"),
        AuditAction.REFERRAL_ACCEPT: _l("Accepted a referral"),
        AuditAction.REFERRAL_DECLINE: _l("Declined a referral"),
        AuditAction.REFERRAL_COMPLETE: _l("Completed a referral"),
        AuditAction.REFERRAL_WITHDRAW: _l("Withdrew a referral"),
        AuditAction.REFERRAL_VIEW: _l("Viewed a referral"),
        AuditAction.REFERRAL_ASSIGN: _l("Assigned a referral"),
        AuditAction.REFERRAL_REMIND: _l("Reminded of overdue referrals"),
        AuditAction.OUTBOX_SEND: _l("Sent e-mail"),
        AuditAction.MAINTENANCE_PRUNE: _l("Pruned old records"),
        AuditAction.REPORT_VIEW: _l("Viewed a report"),
    }
)
OUTCOME_LABELS: Labels[Outcome] = Labels(
    {
        Outcome.SUCCESS: _l("Done"),
        Outcome.DENIED: _l("Refused"),
        Outcome.ERROR: _l("Failed"),
    }
)
# The keys the log's details use, in words; a key not listed here is shown as it is.
DETAIL_LABELS: dict[str, LazyString] = {
    "reason": _l("reason"),
    "count": _l("count"),
    "from": _l("from"),
    "to": _l("to"),
    "by": _l("by"),
    "via": _l("via"),
    "action": _l("step"),
    "assignee": _l("assignee"),
    "referral": _l("referral"),
    "sections": _l("sections"),
    "section": _l("section"),
    "services": _l("services"),
    "service": _l("service"),
    "service_type": _l("service"),
    "provider": _l("provider"),
    "outcome": _l("outcome"),
    "kind": _l("kind"),
    "note": _l("note"),
    "role": _l("role"),
    "agency": _l("agency"),
    "user": _l("user"),
    "team": _l("team"),
    "case_manager": _l("case manager"),
    "previous_manager": _l("previous case manager"),
    "report": _l("report"),
    "format": _l("format"),
    "filters": _l("filters"),
    "view": _l("view"),
    "page": _l("page"),
    "sort": _l("sort"),
    "permission": _l("permission"),
    "method": _l("method"),
    "days": _l("days"),
    "sessions": _l("sessions"),
    "complaint": _l("complaint"),
    "decision": _l("decision"),
    "channel": _l("channel"),
    "urgency": _l("urgency"),
    "case": _l("case"),
    "conference": _l("case conference"),
    "held_on": _l("held on"),
    "agencies": _l("agencies"),
    "tasks": _l("tasks"),
    "task": _l("task"),
    "owner": _l("owner"),
}


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_value(v)}" for k, v in value.items())
    return "–" if value is None else str(value)


def describe_details(details: str | None) -> str:
    """Return a stored details document as "key: value" pairs in words (the raw text if it is not JSON)."""
    if not details:
        return ""
    try:
        data = json.loads(details)
    except ValueError:
        return details
    if not isinstance(data, dict):
        return _value(data)
    return "; ".join(f"{label(DETAIL_LABELS, key)}: {_value(value)}" for key, value in data.items())


def describe_fields(changed_fields: str | None) -> str:
    """Return a stored list of changed field paths as their labels ("Child's name, Address")."""
    if not changed_fields:
        return ""
    try:
        names = json.loads(changed_fields)
    except ValueError:
        return changed_fields
    return ", ".join(label(FIELD_LABELS, str(name)) for name in names)
