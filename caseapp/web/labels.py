"""Interface labels for closed vocabularies (the API uses the codes)."""

from flask_babel import lazy_gettext as _l

from caseapp.security.permissions import Role

ROLE_LABELS = {
    Role.CASE_WORKER: _l("Case worker"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ANALYST: _l("Analyst (task force)"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}


def role_label(role: str) -> str:
    """Return the label of a role code in the current language."""
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return role


STATUS_LABELS = {
    "new": _l("New"),
    "assessment": _l("Assessment"),
    "intervention": _l("Intervention"),
    "monitoring": _l("Monitoring"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}
RISK_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
SEX_LABELS = {"F": _l("Girl / female"), "M": _l("Boy / male")}
PARTY_ROLE_LABELS = {
    "guardian": _l("Parent or guardian"),
    "reporter": _l("Reporter"),
    "perpetrator": _l("Alleged perpetrator"),
    "witness": _l("Witness"),
}
AGE_GROUP_LABELS = {
    "0-5": _l("0-5 years"),
    "6-12": _l("6-12 years"),
    "13-17": _l("13-17 years"),
    "18+": _l("Adult"),
}
NOTE_KIND_LABELS = {
    "visit": _l("Home visit"),
    "call": _l("Phone call"),
    "counselling": _l("Counselling"),
    "coordination": _l("Coordination"),
    "supervision": _l("Supervision"),
    "mediation": _l("Mediation"),
}
NOTE_VISIBILITY_LABELS = {"case_team": _l("Case team"), "agency": _l("Whole agency")}
SERVICE_OUTCOME_LABELS = {
    "provided": _l("Provided"),
    "ongoing": _l("Ongoing"),
    "refused": _l("Refused"),
    "not_available": _l("Not available"),
}
CANCEL_REASON_LABELS = {
    "duplicate": _l("Duplicate of another case"),
    "not_a_case": _l("Not a child-protection case"),
    "not_our_mandate": _l("Not our mandate"),
}
REOPEN_REASON_LABELS = {
    "new_incident": _l("New incident"),
    "needs_not_met": _l("Needs not met after all"),
    "closed_in_error": _l("Closed in error"),
}
ACTION_LABELS = {
    "start_assessment": _l("Start assessment"),
    "start_intervention": _l("Start intervention"),
    "start_monitoring": _l("Start monitoring"),
    "back_to_intervention": _l("Back to intervention"),
    "record_first_contact": _l("Record first contact"),
    "request_closure": _l("Request closure"),
    "approve_closure": _l("Approve closure"),
    "return_closure": _l("Return closure request"),
    "cancel": _l("Cancel case"),
    "reopen": _l("Reopen case"),
    "created": _l("Registered"),
    "assignment": _l("Assigned"),
}
FIELD_LABELS = {
    "child.name": _l("Child's name"),
    "child.nik": _l("NIK"),
    "child.sex": _l("Sex"),
    "child.date_of_birth": _l("Date of birth"),
    "child.age": _l("Estimated age"),
    "child.disability": _l("Disability"),
    "child.address": _l("Address"),
    "child.kelurahan": _l("Kelurahan of residence"),
    "child.school": _l("School"),
    "incident.date": _l("Incident date"),
    "incident.date_is_approximate": _l("Date is approximate"),
    "incident.kelurahan": _l("Kelurahan of the incident"),
    "incident.place": _l("Place of incident"),
    "incident.violence_types": _l("Forms of violence"),
    "incident.primary_violence_type": _l("Main form of violence"),
    "incident.ampk": _l("Special protection (AMPK)"),
    "incident.narrative": _l("What happened"),
    "channel": _l("Reporting channel"),
    "risk_level": _l("Risk level"),
    "parties": _l("People involved"),
}


def label(mapping: dict, code: str | None) -> str:
    """Return the label of a code in a mapping, or the code itself."""
    if code is None:
        return "–"
    value = mapping.get(code)
    return str(value) if value is not None else code


REFERRAL_STATUS_LABELS = {
    "sent": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
}
URGENCY_LABELS = {
    "emergency": _l("Emergency (24 hours)"),
    "urgent": _l("Urgent (72 hours)"),
    "routine": _l("Routine (7 days)"),
}
SECTION_LABELS = {
    "identity": _l("Identity"),
    "contact": _l("Contact and family"),
    "incident": _l("Incident"),
    "perpetrator": _l("Alleged perpetrator"),
    "services": _l("Services so far"),
    "notes": _l("Case notes"),
}
CONSENT_LABELS = {
    "child": _l("Given by the child"),
    "guardian": _l("Given by the parent or guardian"),
    "not_required": _l("Not required by law (supervisors only)"),
}
DECLINE_REASON_LABELS = {
    "not_our_mandate": _l("Not our mandate"),
    "no_capacity": _l("No capacity"),
    "insufficient_information": _l("Insufficient information"),
    "other": _l("Other (explain)"),
}
NOTIFICATION_LABELS = {
    "referral_new": _l("New referral"),
    "referral_accepted": _l("Referral accepted"),
    "referral_declined": _l("Referral declined"),
    "referral_completed": _l("Referral completed"),
    "referral_withdrawn": _l("Referral withdrawn"),
    "referral_assigned": _l("Referral assigned to you"),
    "referral_overdue": _l("Referral overdue"),
}
ACTION_LABELS.update(
    {
        "referral_sent": _l("Referred"),
        "referral_accepted": _l("Referral accepted"),
        "referral_declined": _l("Referral declined"),
        "referral_completed": _l("Referral completed"),
        "referral_withdrawn": _l("Referral withdrawn"),
    }
)
