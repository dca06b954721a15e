"""Assessments: the worker assesses the child's safety, needs and risk; a supervisor reviews it.

A revision is a new assessment (the history stays); the newest is the case's assessment. The reasons and
the summary are encrypted under the case's data key; the audit log and the queue carry codes only.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, PermissionDenied
from caseapp.extensions import db
from caseapp.models import Assessment, Case, User
from caseapp.schemas.practice import AssessmentIn, AssessmentOut
from caseapp.security.permissions import Permission
from caseapp.services import access
from caseapp.services.case_records import get_record, newest_first, read_newest_first
from caseapp.services.cases.rules import require, shredded_refusal


def _open(case: Case) -> None:
    if not case.is_open:
        raise InvalidTransition(_("A closed or cancelled case cannot be changed; reopen it first."))


def add_assessment(actor: User, case: Case, value: AssessmentIn) -> Assessment:
    """Record an assessment (or a revision) of an open case the actor works on."""
    require(actor, Permission.CASE_UPDATE)
    _open(case)
    row = Assessment(
        case=case,
        perpetrator_has_access=value.perpetrator_has_access.value,
        safe_tonight=value.safe_tonight.value,
        needs=",".join(n.value for n in value.needs),
        risk_level=value.risk_level.value,
        author_id=actor.id,
        created_at=utcnow(),
    )
    row.risk_reasons = value.risk_reasons or None
    row.summary = value.summary
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.ASSESSMENT_CREATE,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={
            "assessment": str(row.uuid),
            "risk_level": row.risk_level,
            "safe_tonight": row.safe_tonight,
            "perpetrator_has_access": row.perpetrator_has_access,
            "needs": row.need_codes,
        },
    )
    return row


def case_assessments(case: Case) -> list[Assessment]:
    """Return a case's assessments, newest first."""
    return newest_first(Assessment, case)


def get_assessment(
    actor: User,
    assessment_id: Any,
    *,
    case: Case | None = None,
    permission: Permission = Permission.CASE_READ,
) -> Assessment:
    """Return an assessment of a case the actor may see, or raise NotFound (audited).
    With `case` (a URL naming both): one of that case, else NotFound, audited under `permission`."""
    return get_record(actor, Assessment, assessment_id, "assessment", case=case, permission=permission)


def review(actor: User, row: Assessment) -> Assessment:
    """Mark an assessment reviewed by a supervisor of the owning agency (once)."""
    if not actor.can(Permission.CASE_REVIEW) or row.case.owner_agency_id != actor.agency_id:
        access.record_denial(actor, Permission.CASE_REVIEW, object_type="assessment", object_id=str(row.uuid))
        raise PermissionDenied(str(Permission.CASE_REVIEW))
    if row.case.is_shredded:
        raise InvalidTransition(shredded_refusal())
    if row.reviewed_at is not None:
        raise InvalidTransition(_("This assessment is already reviewed."))
    row.reviewed_by = actor
    row.reviewed_at = utcnow()
    db.session.flush()
    audit.record(
        AuditAction.ASSESSMENT_REVIEW,
        actor=actor,
        object_type="case",
        object_id=row.case.uuid,
        details={"assessment": str(row.uuid)},
    )
    return row


def as_output(row: Assessment) -> AssessmentOut:
    """Return the assessment in the API's shape."""
    return AssessmentOut.model_validate(
        {
            "id": row.uuid,
            "perpetrator_has_access": row.perpetrator_has_access,
            "safe_tonight": row.safe_tonight,
            "needs": row.need_codes,
            "risk_level": row.risk_level,
            "risk_reasons": row.risk_reasons or "",
            "summary": row.summary or "",
            "author": row.author.username,
            "created_at": row.created_at,
            "reviewed_by": row.reviewed_by.username if row.reviewed_by else None,
            "reviewed_at": row.reviewed_at,
        }
    )


def list_assessments(actor: User, case: Case) -> list[Assessment]:
    """Return a case's assessments for the actor to read, newest first (the read is audited)."""
    return read_newest_first(actor, case, Assessment, "assessments")
