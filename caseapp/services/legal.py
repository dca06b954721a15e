"""The justice track of a case: legal milestones and who may read and record them.

The case's own workers (its scope) record milestones on their cases. An agency of the justice chain
(police, prosecutor and Bapas, the court) records its own on a case shared with it by a referral, for as
long as its supervisor or assignee may read what the referral shares (`may_read_shared`, which keeps that
access while proceedings are open: `caseapp.services.proceedings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, NotFound, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Attachment, Case, LegalEvent, Referral, User
from caseapp.models.case import CaseStatus
from caseapp.models.legal import LegalEventKind
from caseapp.schemas.legal import LegalEventIn, LegalEventListOut, LegalEventOut
from caseapp.security.permissions import Permission
from caseapp.services.access import record_denial
from caseapp.services.proceedings import open_until, proceedings_open
from caseapp.services.referrals.access import may_read_shared
from caseapp.services.scoping import parse_case_uuid, visible_cases

# Agency kinds of the justice chain: they record milestones on the cases referred to them.
LEGAL_AGENCY_KINDS = frozenset({"police", "justice", "court"})


@dataclass
class LegalAccess:
    """A case opened for its legal track: from the user's own scope, or through a referral to their agency."""

    case: Case
    referral: Referral | None = None


def open_case(actor: User, case_uuid: str) -> LegalAccess:
    """Return the case whose legal track the user may read, or raise NotFound (the attempt is audited)."""
    uid = parse_case_uuid(case_uuid)
    if uid is not None:
        case = db.session.scalar(visible_cases(actor).where(Case.uuid == uid))
        if case is not None:
            return LegalAccess(case)
        if actor.agency.kind in LEGAL_AGENCY_KINDS:
            referrals = db.session.scalars(
                select(Referral)
                .join(Case, Case.id == Referral.case_id)
                .where(Case.uuid == uid, Referral.to_agency_id == actor.agency_id)
                .order_by(Referral.id.desc())
            )
            for referral in referrals:
                if may_read_shared(actor, referral):
                    return LegalAccess(referral.case, referral)
    record_denial(actor, Permission.CASE_READ, object_type="case", object_id=str(case_uuid)[:64])
    raise NotFound()


def may_record(actor: User, access: LegalAccess) -> bool:
    """Say whether the user may record a milestone on the case opened this way."""
    if not actor.can(Permission.LEGAL_EVENT_RECORD) or access.case.status == CaseStatus.CANCELLED.value:
        return False
    if access.referral is None:
        return actor.can(Permission.CASE_UPDATE)
    return actor.agency.kind in LEGAL_AGENCY_KINDS


def _attachment(access: LegalAccess, attachment_id: object) -> Attachment | None:
    if attachment_id is None:
        return None
    row = db.session.scalar(
        select(Attachment).where(
            Attachment.uuid == attachment_id,
            Attachment.case_id == access.case.id,
            Attachment.deleted_at.is_(None),
        )
    )
    if row is None:
        message = _("Choose one of the case's attachments.")
        raise ValidationFailed(message, fields={"attachment": [message]})
    return row


def record_event(actor: User, access: LegalAccess, value: LegalEventIn) -> LegalEvent:
    """Record a legal milestone on the case, for the actor's agency (audited: kind and agency, no text)."""
    if access.case.status == CaseStatus.CANCELLED.value:
        raise InvalidTransition(_("This step is not possible from the case's status."))
    if not may_record(actor, access):
        record_denial(
            actor, Permission.LEGAL_EVENT_RECORD, object_type="case", object_id=str(access.case.uuid)
        )
        raise NotFound()
    event = LegalEvent(
        case=access.case,
        kind=value.kind.value,
        event_date=value.date,
        agency_id=actor.agency_id,
        recorded_by_id=actor.id,
        created_at=utcnow(),
        attachment=_attachment(access, value.attachment),
    )
    event.reference = value.reference or None
    event.investigator = value.investigator or None
    event.outcome = value.outcome or None
    db.session.add(event)
    db.session.flush()
    audit.record(
        AuditAction.LEGAL_EVENT_RECORD,
        actor=actor,
        object_type="case",
        object_id=access.case.uuid,
        details={
            "legal_event": str(event.uuid),
            "kind": event.kind,
            "agency": actor.agency.code,
            "referral": access.referral.id if access.referral else None,
            "attachment": bool(event.attachment_id),
        },
    )
    return event


def case_events(case: Case) -> list[LegalEvent]:
    """Return the case's legal milestones in date order."""
    stmt = (
        select(LegalEvent).where(LegalEvent.case_id == case.id).order_by(LegalEvent.event_date, LegalEvent.id)
    )
    return list(db.session.scalars(stmt))


def as_out(event: LegalEvent) -> LegalEventOut:
    """Return the read shape of a milestone."""
    linked = event.attachment if event.attachment and event.attachment.deleted_at is None else None
    return LegalEventOut(
        id=event.uuid,
        kind=LegalEventKind(event.kind),
        date=event.event_date,
        reference=event.reference or "",
        investigator=event.investigator or "",
        outcome=event.outcome or "",
        agency=event.agency.code,
        recorded_by=event.recorded_by.username,
        recorded_at=event.created_at,
        attachment=linked.uuid if linked else None,
    )


def list_events(actor: User, access: LegalAccess) -> LegalEventListOut:
    """Return the case's legal track (audited like a read of the case)."""
    events = case_events(access.case)
    audit.record(
        AuditAction.LEGAL_EVENT_LIST,
        actor=actor,
        object_type="case",
        object_id=access.case.uuid,
        details={"count": len(events), "referral": access.referral.id if access.referral else None},
    )
    return LegalEventListOut(
        items=[as_out(e) for e in events], proceedings_open=proceedings_open(access.case)
    )


def proceedings_until(case: Case) -> date | None:
    """Return the last day proceedings count as open (None: none recorded; date.max: no verdict yet)."""
    return open_until(case)
