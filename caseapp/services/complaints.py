"""Complaints (pengaduan): recorded when received, triaged before (and whether) they become a case.

A complaint belongs to the agency that received it; its workers and supervisors read and triage it (the
scope is `scoping.visible_complaints`: anyone else gets 404). Who reported it, how to reach them and what
they reported are encrypted under the complaint's own data key; the list, the queue and the audit log
carry codes and times only. Reading a complaint's content is audited like a case view. Triage happens
once, as a guarded update: of two workers deciding at the same moment exactly one wins, the other gets 409.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case as sql_case
from sqlalchemy import select, update

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Agency, Case, Complaint, OutreachVisit, User
from caseapp.models.case import RiskLevel
from caseapp.models.intake import ComplaintDecision
from caseapp.models.referral import Urgency
from caseapp.schemas.intake import ComplaintIn, ComplaintOut, ComplaintSummaryOut, OutreachOut, TriageIn
from caseapp.security.permissions import Permission
from caseapp.services import data_keys
from caseapp.services.cases.rules import require
from caseapp.services.scoping import find_in_scope, visible_cases, visible_complaints

LIST_LIMIT = 200

# When triage is due, by urgency: a referral's response times (24 hours, 72 hours, 7 days).
TRIAGE_DUE = {
    Urgency.EMERGENCY.value: timedelta(hours=24),
    Urgency.URGENT.value: timedelta(hours=72),
    Urgency.ROUTINE.value: timedelta(days=7),
}

# The risk level a registration starts from, by the complaint's urgency (the worker may change it).
RISK_OF_URGENCY = {
    Urgency.EMERGENCY.value: RiskLevel.HIGH.value,
    Urgency.URGENT.value: RiskLevel.MEDIUM.value,
    Urgency.ROUTINE.value: RiskLevel.LOW.value,
}


def record_complaint(actor: User, value: ComplaintIn) -> Complaint:
    """Record a complaint received by the actor's agency (it waits for triage)."""
    require(actor, Permission.COMPLAINT_HANDLE)
    now = utcnow()
    received = value.received_at or now
    row = Complaint(
        uuid=uuid.uuid4(),
        agency_id=actor.agency_id,
        data_key=data_keys.create_data_key(),
        received_at=received,
        channel=value.channel,
        urgency=value.urgency.value,
        triage_due_at=received + TRIAGE_DUE[value.urgency.value],
        recorded_by_id=actor.id,
        created_at=now,
    )
    row.reporter_name = value.reporter_name or None
    row.reporter_contact = value.reporter_contact or None
    row.report = value.report
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.COMPLAINT_CREATE,
        actor=actor,
        object_type="complaint",
        object_id=row.uuid,
        details={"channel": row.channel, "urgency": row.urgency},
    )
    return row


def get_complaint(actor: User, complaint_id: Any) -> Complaint:
    """Return a complaint the actor may open, or raise NotFound (audited as a denial)."""

    def find(uid: uuid.UUID) -> Complaint | None:
        return db.session.scalar(visible_complaints(actor).where(Complaint.uuid == uid))

    return find_in_scope(
        actor, complaint_id, find, object_type="complaint", permission=Permission.COMPLAINT_HANDLE
    )


def view_complaint(actor: User, complaint_id: Any, section: str | None = None) -> Complaint:
    """Return a complaint to read its content; the read is audited like a case view."""
    row = get_complaint(actor, complaint_id)
    details = {"section": section} if section else None
    audit.record(
        AuditAction.COMPLAINT_VIEW, actor=actor, object_type="complaint", object_id=row.uuid, details=details
    )
    return row


def list_complaints(actor: User, untriaged_only: bool = False) -> list[Complaint]:
    """Return the agency's complaints: waiting for triage first (soonest due), then the newest (audited)."""
    require(actor, Permission.COMPLAINT_HANDLE)
    waiting = sql_case((Complaint.decision.is_(None), 0), else_=1)
    stmt = visible_complaints(actor)
    if untriaged_only:
        stmt = stmt.where(Complaint.decision.is_(None))
    stmt = stmt.order_by(
        waiting,
        sql_case((Complaint.decision.is_(None), Complaint.triage_due_at), else_=None),
        Complaint.received_at.desc(),
        Complaint.id.desc(),
    ).limit(LIST_LIMIT)
    rows = list(db.session.scalars(stmt))
    audit.record(
        AuditAction.COMPLAINT_LIST,
        actor=actor,
        object_type="complaint",
        details={"count": len(rows), "filters": {"untriaged": untriaged_only}},
    )
    return rows


def untriaged(actor: User, limit: int) -> list[Complaint]:
    """Return the agency's complaints waiting for triage, soonest due first (codes only: the queue)."""
    if not actor.can(Permission.COMPLAINT_HANDLE):
        return []
    stmt = (
        visible_complaints(actor)
        .where(Complaint.decision.is_(None))
        .order_by(Complaint.triage_due_at, Complaint.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def _accepted_case(actor: User, complaint: Complaint, case_id: uuid.UUID) -> Case:
    """Return the case a complaint became: one the actor sees, of the receiving agency, not yet linked."""
    case = db.session.scalar(
        visible_cases(actor).where(Case.uuid == case_id, Case.owner_agency_id == complaint.agency_id)
    )
    if case is None:
        msg = _("Choose the case the complaint became.")
        raise ValidationFailed(msg, fields={"case_id": [msg]})
    taken = db.session.scalar(select(Complaint.id).where(Complaint.case_id == case.id))
    if taken is not None and taken != complaint.id:
        msg = _("This case was already registered from another complaint.")
        raise ValidationFailed(msg, fields={"case_id": [msg]})
    return case


def triage(actor: User, complaint: Complaint, value: TriageIn) -> Complaint:
    """Decide a complaint, once: accepted (linked to the case it became), referred elsewhere, not a case."""
    require(actor, Permission.COMPLAINT_HANDLE)
    if complaint.decision is not None:
        raise InvalidTransition(_("This complaint is already triaged."))
    case: Case | None = None
    referred: Agency | None = None
    if value.decision is ComplaintDecision.ACCEPTED:
        assert value.case_id is not None  # the schema requires it
        case = _accepted_case(actor, complaint, value.case_id)
    elif value.decision is ComplaintDecision.REFERRED_ELSEWHERE:
        referred = db.session.scalar(
            select(Agency).where(Agency.code == value.agency, Agency.active.is_(True))
        )
        if referred is None or referred.id == complaint.agency_id:
            msg = _("Choose another agency than your own.")
            raise ValidationFailed(msg, fields={"agency": [msg]})
    now = utcnow()
    claimed = db.session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, Complaint.decision.is_(None))
        .values(decision=value.decision.value, triaged_at=now, triaged_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(_("This complaint is already triaged."))
    db.session.expire(complaint, ["decision", "triaged_at", "triaged_by_id", "triaged_by"])
    complaint.case_id = case.id if case is not None else None
    complaint.referred_agency_id = referred.id if referred is not None else None
    complaint.decision_reason = value.reason or None
    db.session.flush()
    details: dict[str, Any] = {"decision": value.decision.value}
    if case is not None:
        details["case"] = str(case.uuid)
    if referred is not None:
        details["agency"] = referred.code
    audit.record(
        AuditAction.COMPLAINT_TRIAGE,
        actor=actor,
        object_type="complaint",
        object_id=complaint.uuid,
        details=details,
    )
    return complaint


@dataclass
class Registration:
    """What a registration form starts from when a complaint is accepted (the worker completes the rest)."""

    channel: str
    risk_level: str
    narrative: str
    reporter_name: str
    reporter_contact: str


def registration_draft(actor: User, complaint: Complaint) -> Registration:
    """Return the registration form's starting values from an untriaged complaint (the read is audited)."""
    require(actor, Permission.CASE_CREATE)
    if complaint.decision is not None:
        raise InvalidTransition(_("This complaint is already triaged."))
    audit.record(
        AuditAction.COMPLAINT_VIEW,
        actor=actor,
        object_type="complaint",
        object_id=complaint.uuid,
        details={"section": "registration"},
    )
    return Registration(
        channel=complaint.channel,
        risk_level=RISK_OF_URGENCY.get(complaint.urgency, RiskLevel.MEDIUM.value),
        narrative=complaint.report or "",
        reporter_name=complaint.reporter_name or "",
        reporter_contact=complaint.reporter_contact or "",
    )


def complaint_outreach(complaint: Complaint) -> list[OutreachVisit]:
    """Return a complaint's outreach visits, newest first."""
    stmt = (
        select(OutreachVisit)
        .where(OutreachVisit.complaint_id == complaint.id)
        .order_by(OutreachVisit.visit_date.desc(), OutreachVisit.id.desc())
    )
    return list(db.session.scalars(stmt))


def outreach_output(row: OutreachVisit) -> OutreachOut:
    """Return an outreach visit in the API's shape."""
    return OutreachOut.model_validate(
        {
            "id": row.uuid,
            "date": row.visit_date,
            "place": row.place or "",
            "outcome": row.outcome,
            "note": row.note or "",
            "author": row.author.username,
            "recorded_at": row.created_at,
        }
    )


def _summary(row: Complaint, now: datetime) -> dict[str, Any]:
    return {
        "id": row.uuid,
        "received_at": row.received_at,
        "channel": row.channel,
        "urgency": row.urgency,
        "triage_due_at": row.triage_due_at,
        "triage_overdue": row.triage_overdue(now),
        "decision": row.decision,
        "case_id": row.case.uuid if row.case is not None else None,
    }


def summary_output(row: Complaint) -> ComplaintSummaryOut:
    """Return a complaint as a list shows it (no content)."""
    return ComplaintSummaryOut.model_validate(_summary(row, utcnow()))


def as_output(row: Complaint) -> ComplaintOut:
    """Return a complaint with its content and outreach (the caller audited the read)."""
    return ComplaintOut.model_validate(
        {
            **_summary(row, utcnow()),
            "reporter_name": row.reporter_name or "",
            "reporter_contact": row.reporter_contact or "",
            "report": row.report or "",
            "agency": row.agency.code,
            "recorded_by": row.recorded_by.username,
            "triaged_by": row.triaged_by.username if row.triaged_by else None,
            "triaged_at": row.triaged_at,
            "referred_to": row.referred_agency.code if row.referred_agency else None,
            "reason": row.decision_reason or "",
            "outreach": [outreach_output(v) for v in complaint_outreach(row)],
        }
    )
