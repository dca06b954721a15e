"""Interface labels of the closed vocabularies, keyed by their enums (the API answers with the codes).

Below both front ends: the pages, the forms and the exports (CSV/XLSX, served by the web and the API) show
the same words. A StrEnum member equals its code, so a lookup by the stored string finds its label too.
`FIELD_LABELS` is the one mapping not keyed by an enum: its keys are the dotted field paths of the case
input (`child.nik`), not a vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar, cast

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from caseapp.models.attachment import AttachmentKind, AttachmentStatus
from caseapp.models.case import (
    AgeGroup,
    CancelReason,
    CaseEventKind,
    CaseStatus,
    ChildRole,
    MaritalStatus,
    NoteKind,
    NoteVisibility,
    PartyRole,
    ReopenReason,
    RiskLevel,
    SchoolStatus,
    ServiceOutcome,
    Sex,
)
from caseapp.models.export_job import ExportStatus
from caseapp.models.intake import ComplaintDecision, DischargeReason, OutreachOutcome
from caseapp.models.legal import DiversionOutcome, DiversionStage, LegalEventKind, Under12Decision
from caseapp.models.practice import Answer, CarePlanStatus, NeedDomain, TaskStatus
from caseapp.models.queue import QueueKind
from caseapp.models.referral import (
    ChildAssent,
    ConsentBy,
    DeclineReason,
    LegalBasis,
    NotificationKind,
    ReferralStatus,
    Section,
    Urgency,
)
from caseapp.security.permissions import Role

E = TypeVar("E", bound=StrEnum)


class Labels(dict[E, LazyString]):
    """A vocabulary's labels, keyed by its members; a stored code (a plain string) finds its label too."""

    def __getitem__(self, code: str) -> LazyString:
        return super().__getitem__(cast(E, code))


ROLE_LABELS: Labels[Role] = Labels(
    {
        Role.CASE_WORKER: _l("Case worker"),
        Role.SUPERVISOR: _l("Supervisor"),
        Role.ANALYST: _l("Analyst (task force)"),
        Role.REPORTING_OFFICER: _l("Reporting officer (SIMFONI-PPA)"),
        Role.AUDITOR: _l("Auditor"),
        Role.ADMIN: _l("Administrator"),
    }
)


def role_label(role: str) -> str:
    """Return the label of a role code in the current language."""
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return role


STATUS_LABELS: Labels[CaseStatus] = Labels(
    {
        CaseStatus.NEW: _l("New"),
        CaseStatus.ASSESSMENT: _l("Assessment"),
        CaseStatus.INTERVENTION: _l("Intervention"),
        CaseStatus.MONITORING: _l("Monitoring"),
        CaseStatus.CLOSED: _l("Closed"),
        CaseStatus.CANCELLED: _l("Cancelled"),
    }
)
RISK_LABELS: Labels[RiskLevel] = Labels(
    {
        RiskLevel.LOW: _l("Low"),
        RiskLevel.MEDIUM: _l("Medium"),
        RiskLevel.HIGH: _l("High"),
    }
)
SEX_LABELS: Labels[Sex] = Labels({Sex.FEMALE: _l("Girl / female"), Sex.MALE: _l("Boy / male")})
CHILD_ROLE_LABELS: Labels[ChildRole] = Labels(
    {
        ChildRole.VICTIM: _l("Victim"),
        ChildRole.WITNESS: _l("Child witness"),
        ChildRole.IN_CONFLICT_WITH_LAW: _l("Child in conflict with the law"),
    }
)
LEGAL_EVENT_KIND_LABELS: Labels[LegalEventKind] = Labels(
    {
        LegalEventKind.POLICE_REPORT: _l("Police report (LP)"),
        LegalEventKind.VICTIM_STATEMENT: _l("Child's statement (BAP)"),
        LegalEventKind.VISUM_REQUEST: _l("Visum et repertum requested"),
        LegalEventKind.VISUM_RESULT: _l("Visum et repertum result"),
        LegalEventKind.SUSPECT_NAMED: _l("Suspect named"),
        LegalEventKind.LITMAS_REQUEST: _l("Social research report (litmas) requested from Bapas"),
        LegalEventKind.LITMAS_RECEIVED: _l("Social research report (litmas) received"),
        LegalEventKind.CASE_FILE_COMPLETE: _l("Case file complete (P21)"),
        LegalEventKind.DETENTION_STARTED: _l("Child detained (penahanan)"),
        LegalEventKind.DETENTION_ENDED: _l("Detention ended"),
        LegalEventKind.TRIAL: _l("Trial"),
        LegalEventKind.VERDICT: _l("Verdict"),
        LegalEventKind.INVESTIGATION_STOPPED: _l("Investigation stopped (SP3)"),
        LegalEventKind.PROSECUTION_STOPPED: _l("Prosecution stopped (SKP2)"),
        LegalEventKind.COMPLAINT_WITHDRAWN: _l("Complaint withdrawn"),
        LegalEventKind.RESTITUTION_REQUESTED: _l("Restitution requested"),
        LegalEventKind.RESTITUTION_DECIDED: _l("Restitution decided"),
        LegalEventKind.RESTITUTION_PAID: _l("Restitution paid"),
    }
)
DIVERSION_STAGE_LABELS: Labels[DiversionStage] = Labels(
    {
        DiversionStage.INVESTIGATION: _l("Investigation (police)"),
        DiversionStage.PROSECUTION: _l("Prosecution"),
        DiversionStage.COURT: _l("Court"),
        DiversionStage.UNDER_12: _l("Child under 12 (Pasal 21)"),
    }
)
DIVERSION_OUTCOME_LABELS: Labels[DiversionOutcome] = Labels(
    {
        DiversionOutcome.ONGOING: _l("Ongoing"),
        DiversionOutcome.SETTLED: _l("Settled by diversion"),
        DiversionOutcome.FAILED: _l("Failed: proceedings go on"),
    }
)
UNDER_12_DECISION_LABELS: Labels[Under12Decision] = Labels(
    {
        Under12Decision.RETURN_TO_PARENTS: _l("Returned to parents or guardian"),
        Under12Decision.SOCIAL_PROGRAM: _l("Education or social program (up to 6 months)"),
    }
)
PARTY_ROLE_LABELS: Labels[PartyRole] = Labels(
    {
        PartyRole.GUARDIAN: _l("Parent or guardian"),
        PartyRole.REPORTER: _l("Reporter"),
        PartyRole.PERPETRATOR: _l("Alleged perpetrator"),
        PartyRole.WITNESS: _l("Witness"),
    }
)
AGE_GROUP_LABELS: Labels[AgeGroup] = Labels(
    {
        AgeGroup.UNDER_6: _l("0-5 years"),
        AgeGroup.AGE_6_12: _l("6-12 years"),
        AgeGroup.AGE_13_17: _l("13-17 years"),
        AgeGroup.ADULT: _l("Adult (age not known)"),
        AgeGroup.ADULT_18_24: _l("18-24 years"),
        AgeGroup.ADULT_25_44: _l("25-44 years"),
        AgeGroup.ADULT_45_59: _l("45-59 years"),
        AgeGroup.ADULT_60_PLUS: _l("60 years or older"),
    }
)
NOTE_KIND_LABELS: Labels[NoteKind] = Labels(
    {
        NoteKind.VISIT: _l("Home visit"),
        NoteKind.CALL: _l("Phone call"),
        NoteKind.COUNSELLING: _l("Counselling"),
        NoteKind.COORDINATION: _l("Coordination"),
        NoteKind.SUPERVISION: _l("Supervision"),
        NoteKind.MEDIATION: _l("Mediation"),
    }
)
NOTE_VISIBILITY_LABELS: Labels[NoteVisibility] = Labels(
    {
        NoteVisibility.CASE_TEAM: _l("Case team"),
        NoteVisibility.AGENCY: _l("Whole agency"),
    }
)
SERVICE_OUTCOME_LABELS: Labels[ServiceOutcome] = Labels(
    {
        ServiceOutcome.PROVIDED: _l("Provided"),
        ServiceOutcome.ONGOING: _l("Ongoing"),
        ServiceOutcome.REFUSED: _l("Refused"),
        ServiceOutcome.NOT_AVAILABLE: _l("Not available"),
    }
)
CANCEL_REASON_LABELS: Labels[CancelReason] = Labels(
    {
        CancelReason.DUPLICATE: _l("Duplicate of another case"),
        CancelReason.NOT_A_CASE: _l("Not a child-protection case"),
        CancelReason.NOT_OUR_MANDATE: _l("Not our mandate"),
    }
)
REOPEN_REASON_LABELS: Labels[ReopenReason] = Labels(
    {
        ReopenReason.NEW_INCIDENT: _l("New incident"),
        ReopenReason.NEEDS_NOT_MET: _l("Needs not met after all"),
        ReopenReason.CLOSED_IN_ERROR: _l("Closed in error"),
    }
)
# The case's timeline; its lifecycle steps are also the labels of the lifecycle buttons.
ACTION_LABELS: Labels[CaseEventKind] = Labels(
    {
        CaseEventKind.START_ASSESSMENT: _l("Start assessment"),
        CaseEventKind.START_INTERVENTION: _l("Start intervention"),
        CaseEventKind.START_MONITORING: _l("Start monitoring"),
        CaseEventKind.BACK_TO_INTERVENTION: _l("Back to intervention"),
        CaseEventKind.RECORD_FIRST_CONTACT: _l("Record first contact"),
        CaseEventKind.REQUEST_CLOSURE: _l("Request closure"),
        CaseEventKind.APPROVE_CLOSURE: _l("Approve closure"),
        CaseEventKind.RETURN_CLOSURE: _l("Return closure request"),
        CaseEventKind.CANCEL: _l("Cancel case"),
        CaseEventKind.REOPEN: _l("Reopen case"),
        CaseEventKind.REQUEST_CANCELLATION: _l("Request cancellation"),
        CaseEventKind.APPROVE_CANCELLATION: _l("Approve cancellation"),
        CaseEventKind.RETURN_CANCELLATION: _l("Return cancellation request"),
        CaseEventKind.CREATED: _l("Registered"),
        CaseEventKind.ASSIGNMENT: _l("Assigned"),
        CaseEventKind.REFERRAL_SENT: _l("Referred"),
        CaseEventKind.REFERRAL_ACCEPTED: _l("Referral accepted"),
        CaseEventKind.REFERRAL_DECLINED: _l("Referral declined"),
        CaseEventKind.REFERRAL_COMPLETED: _l("Referral completed"),
        CaseEventKind.REFERRAL_WITHDRAWN: _l("Referral withdrawn"),
    }
)
FIELD_LABELS: dict[str, LazyString] = {
    "child.name": _l("Child's name"),
    "child.nik": _l("NIK"),
    "child.sex": _l("Sex"),
    "child.date_of_birth": _l("Date of birth"),
    "child.age": _l("Estimated age at the incident"),
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


# Kinds of agency (the `kind` column of the agencies reference list), in words.
AGENCY_KIND_LABELS: dict[str, LazyString] = {
    "women_child_protection": _l("Women's and child protection"),
    "police": _l("Police"),
    "social_services": _l("Social services"),
    "health": _l("Health"),
    "education": _l("Education"),
    "civil_registry": _l("Civil registry"),
    "religious_affairs": _l("Religious affairs"),
    "justice": _l("Justice"),
    "legal_aid": _l("Legal aid"),
    "planning": _l("Planning (task force secretariat)"),
    "oversight": _l("Oversight"),
    "court": _l("Court"),
    "victim_protection": _l("Witness and victim protection"),
}


def label(mapping: Mapping[Any, object], code: str | None) -> str:
    """Return the label of a code in a mapping, or the code itself."""
    if code is None:
        return "–"
    value = mapping.get(code)
    return str(value) if value is not None else code


REFERRAL_STATUS_LABELS: Labels[ReferralStatus] = Labels(
    {
        ReferralStatus.SENT: _l("Waiting for an answer"),
        ReferralStatus.ACCEPTED: _l("Accepted"),
        ReferralStatus.DECLINED: _l("Declined"),
        ReferralStatus.COMPLETED: _l("Completed"),
        ReferralStatus.WITHDRAWN: _l("Withdrawn"),
    }
)
URGENCY_LABELS: Labels[Urgency] = Labels(
    {
        Urgency.EMERGENCY: _l("Emergency (24 hours)"),
        Urgency.URGENT: _l("Urgent (72 hours)"),
        Urgency.ROUTINE: _l("Routine (7 days)"),
    }
)
SECTION_LABELS: Labels[Section] = Labels(
    {
        Section.IDENTITY: _l("Identity"),
        Section.CONTACT: _l("Contact and family"),
        Section.INCIDENT: _l("Incident"),
        Section.PERPETRATOR: _l("Alleged perpetrator"),
        Section.SERVICES: _l("Services so far"),
        Section.NOTES: _l("Case notes"),
        Section.ATTACHMENTS: _l("Attachments (documents, photos)"),
    }
)
SCHOOL_STATUS_LABELS: Labels[SchoolStatus] = Labels(
    {
        SchoolStatus.IN_SCHOOL: _l("In school"),
        SchoolStatus.DROPPED_OUT: _l("Dropped out"),
        SchoolStatus.NEVER_ENROLLED: _l("Never enrolled"),
    }
)
MARITAL_STATUS_LABELS: Labels[MaritalStatus] = Labels(
    {
        MaritalStatus.NOT_MARRIED: _l("Not married"),
        MaritalStatus.MARRIED: _l("Married"),
        MaritalStatus.DIVORCED: _l("Divorced"),
        MaritalStatus.WIDOWED: _l("Widowed"),
    }
)
CONSENT_LABELS: Labels[ConsentBy] = Labels(
    {
        ConsentBy.CHILD: _l("Given by the child (recorded before UU PDP)"),
        ConsentBy.GUARDIAN: _l("Given by the parent or guardian"),
        ConsentBy.NOT_REQUIRED: _l("Not required by law (supervisors only)"),
    }
)
ASSENT_LABELS: Labels[ChildAssent] = Labels(
    {
        ChildAssent.AGREED: _l("The child agreed"),
        ChildAssent.DISAGREED: _l("The child did not agree"),
        ChildAssent.NOT_ASKED: _l("Not asked (too young or unable to understand)"),
    }
)
LEGAL_BASIS_LABELS: Labels[LegalBasis] = Labels(
    {
        LegalBasis.LEGAL_OBLIGATION: _l("A legal obligation (Pasal 20 ayat 2 huruf c)"),
        LegalBasis.VITAL_INTEREST: _l("The child's vital interest (Pasal 20 ayat 2 huruf d)"),
        LegalBasis.PUBLIC_TASK: _l("A public task under the law (Pasal 20 ayat 2 huruf e)"),
    }
)
DECLINE_REASON_LABELS: Labels[DeclineReason] = Labels(
    {
        DeclineReason.NOT_OUR_MANDATE: _l("Not our mandate"),
        DeclineReason.NO_CAPACITY: _l("No capacity"),
        DeclineReason.INSUFFICIENT_INFORMATION: _l("Insufficient information"),
        DeclineReason.OTHER: _l("Other (explain)"),
    }
)
NOTIFICATION_LABELS: Labels[NotificationKind] = Labels(
    {
        NotificationKind.REFERRAL_NEW: _l("New referral"),
        NotificationKind.REFERRAL_ACCEPTED: _l("Referral accepted"),
        NotificationKind.REFERRAL_DECLINED: _l("Referral declined"),
        NotificationKind.REFERRAL_COMPLETED: _l("Referral completed"),
        NotificationKind.REFERRAL_WITHDRAWN: _l("Referral withdrawn"),
        NotificationKind.REFERRAL_ASSIGNED: _l("Referral assigned to you"),
        NotificationKind.REFERRAL_OVERDUE: _l("Referral overdue"),
        NotificationKind.CLOSURE_REQUESTED: _l("Closure requested: waiting for your approval"),
        NotificationKind.CLOSURE_APPROVED: _l("Closure approved"),
        NotificationKind.CLOSURE_RETURNED: _l("Closure request returned"),
        NotificationKind.CANCELLATION_REQUESTED: _l("Cancellation requested: waiting for your approval"),
        NotificationKind.CANCELLATION_APPROVED: _l("Cancellation approved"),
        NotificationKind.CANCELLATION_RETURNED: _l("Cancellation request returned"),
        NotificationKind.CARE_PLAN_SUBMITTED: _l("Care plan waiting for your approval"),
        NotificationKind.CARE_PLAN_APPROVED: _l("Care plan approved"),
        NotificationKind.CARE_PLAN_RETURNED: _l("Care plan returned"),
        NotificationKind.CARE_PLAN_REVIEW_DUE: _l("Care plan review overdue"),
        NotificationKind.TASK_ASSIGNED: _l("A conference gave you a task"),
    }
)


ANSWER_LABELS: Labels[Answer] = Labels(
    {Answer.YES: _l("Yes"), Answer.NO: _l("No"), Answer.UNKNOWN: _l("Not known")}
)

NEED_LABELS: Labels[NeedDomain] = Labels(
    {
        NeedDomain.HEALTH: _l("Health"),
        NeedDomain.PSYCHOLOGICAL: _l("Psychological"),
        NeedDomain.EDUCATION: _l("Education"),
        NeedDomain.LEGAL: _l("Legal"),
        NeedDomain.FAMILY: _l("Family"),
        NeedDomain.ECONOMIC: _l("Economic"),
    }
)

CARE_PLAN_STATUS_LABELS: Labels[CarePlanStatus] = Labels(
    {
        CarePlanStatus.PENDING: _l("Waiting for approval"),
        CarePlanStatus.APPROVED: _l("Approved"),
        CarePlanStatus.RETURNED: _l("Returned"),
    }
)
TASK_STATUS_LABELS: Labels[TaskStatus] = Labels(
    {
        TaskStatus.OPEN: _l("Open"),
        TaskStatus.DONE: _l("Completed"),
    }
)
ATTACHMENT_KIND_LABELS: Labels[AttachmentKind] = Labels(
    {
        AttachmentKind.VISUM: _l("Visum et repertum"),
        AttachmentKind.BAP: _l("Police report (BAP)"),
        AttachmentKind.CONSENT: _l("Consent form"),
        AttachmentKind.MEDICAL: _l("Medical document"),
        AttachmentKind.SCHOOL: _l("School letter"),
        AttachmentKind.PHOTO: _l("Photo"),
        AttachmentKind.COURT: _l("Court document"),
        AttachmentKind.OTHER: _l("Other document"),
    }
)
EXPORT_STATUS_LABELS: Labels[ExportStatus] = Labels(
    {
        ExportStatus.QUEUED: _l("Waiting to start"),
        ExportStatus.RUNNING: _l("Being prepared"),
        ExportStatus.DONE: _l("Ready to download"),
        ExportStatus.FAILED: _l("Failed"),
        ExportStatus.EXPIRED: _l("Expired: the file was deleted"),
    }
)
ATTACHMENT_STATUS_LABELS: Labels[AttachmentStatus] = Labels(
    {
        AttachmentStatus.CLEAN: _l("Available"),
        AttachmentStatus.QUARANTINED: _l("Waiting for the malware scan"),
        AttachmentStatus.INFECTED: _l("Malware found: removed"),
    }
)
COMPLAINT_DECISION_LABELS: Labels[ComplaintDecision] = Labels(
    {
        ComplaintDecision.ACCEPTED: _l("Accepted: registered as a case"),
        ComplaintDecision.REFERRED_ELSEWHERE: _l("Referred elsewhere"),
        ComplaintDecision.NOT_A_CASE: _l("Not a case"),
    }
)
OUTREACH_OUTCOME_LABELS: Labels[OutreachOutcome] = Labels(
    {
        OutreachOutcome.MET_CHILD: _l("Met the child"),
        OutreachOutcome.NOT_FOUND: _l("Child not found"),
        OutreachOutcome.REFUSED: _l("Refused"),
        OutreachOutcome.REFERRED: _l("Referred"),
    }
)
DISCHARGE_REASON_LABELS: Labels[DischargeReason] = Labels(
    {
        DischargeReason.RETURNED_HOME: _l("Returned to the family"),
        DischargeReason.PLACED_WITH_RELATIVES: _l("Placed with relatives"),
        DischargeReason.TRANSFERRED: _l("Transferred (another shelter, LKSA, rehabilitation)"),
        DischargeReason.LEFT: _l("Left against advice"),
        DischargeReason.OTHER: _l("Other"),
    }
)
QUEUE_KIND_LABELS: Labels[QueueKind] = Labels(
    {
        QueueKind.CLOSURE_TO_APPROVE: _l("Closure (terminasi) to approve"),
        QueueKind.CANCELLATION_TO_APPROVE: _l("Cancellation to approve"),
        QueueKind.ASSESSMENT_TO_REVIEW: _l("Assessment to review"),
        QueueKind.CARE_PLAN_TO_APPROVE: _l("Care plan to approve"),
        QueueKind.CARE_PLAN_RETURNED: _l("Care plan returned: revise it"),
        QueueKind.CARE_PLAN_REVIEW_OVERDUE: _l("Care plan review overdue"),
        QueueKind.FIRST_CONTACT_DUE: _l("First contact due"),
        QueueKind.REFERRAL_TO_ANSWER: _l("Referral to answer"),
        QueueKind.REFERRAL_OVERDUE: _l("Referral unanswered past its due time"),
        QueueKind.COMPLAINT_TO_TRIAGE: _l("Complaint (pengaduan) to triage"),
        QueueKind.LITMAS_DUE: _l("Litmas awaited from Bapas (3x24 hours)"),
        QueueKind.TASK: _l("Follow-up task of a case conference"),
    }
)
