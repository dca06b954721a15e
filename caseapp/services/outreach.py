"""Outreach visits (penjangkauan): on a complaint before triage or after, or on a case.

A visit on a complaint is recorded by whoever may handle the agency's complaints; on a case by whoever may
add to the case (`CaseStep.NOTE`: the case's readers with `case:update`). The place and the note are
encrypted under the key of the complaint or case; the audit log carries the outcome code only.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition
from caseapp.extensions import db
from caseapp.models import Case, Complaint, OutreachVisit, User
from caseapp.schemas.intake import OutreachIn
from caseapp.security.permissions import Permission
from caseapp.services.cases.rules import CaseStep, check, read_section, require


def _fill(row: OutreachVisit, actor: User, value: OutreachIn) -> None:
    row.visit_date = value.date
    row.outcome = value.outcome.value
    row.author_id = actor.id
    row.created_at = utcnow()
    row.place = value.place or None
    row.note = value.note or None


def record_on_complaint(actor: User, complaint: Complaint, value: OutreachIn) -> OutreachVisit:
    """Record an outreach visit on a complaint the actor may open."""
    require(actor, Permission.COMPLAINT_HANDLE)
    row = OutreachVisit(complaint=complaint)
    _fill(row, actor, value)
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.OUTREACH_RECORD,
        actor=actor,
        object_type="complaint",
        object_id=complaint.uuid,
        details={"outreach": str(row.uuid), "outcome": row.outcome},
    )
    return row


def record_on_case(actor: User, case: Case, value: OutreachIn) -> OutreachVisit:
    """Record an outreach visit on an open case the actor works on."""
    check(actor, case, CaseStep.NOTE)
    if not case.is_open:
        raise InvalidTransition(_("A closed or cancelled case cannot be changed; reopen it first."))
    row = OutreachVisit(case=case)
    _fill(row, actor, value)
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.OUTREACH_RECORD,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"outreach": str(row.uuid), "outcome": row.outcome},
    )
    return row


def list_case_outreach(actor: User, case: Case) -> list[OutreachVisit]:
    """Return a case's outreach visits for the actor to read (the read is audited)."""
    read_section(actor, case, "outreach")
    return case_outreach(case)


def case_outreach(case: Case) -> list[OutreachVisit]:
    """Return a case's outreach visits, newest first (one statement)."""
    stmt = (
        select(OutreachVisit)
        .where(OutreachVisit.case_id == case.id)
        .order_by(OutreachVisit.visit_date.desc(), OutreachVisit.id.desc())
    )
    return list(db.session.scalars(stmt))
