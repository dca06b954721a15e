"""The justice track of a case: legal milestones and who may read and record them.

The case's own workers (its scope) record milestones on their cases. An agency of the justice chain
(police, prosecutor and Bapas, the court) records its own on a case shared with it by a referral, for as
long as its supervisor or assignee may read what the referral shares (`may_read_shared`, which keeps that
access while proceedings are open: `caseapp.services.proceedings`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import select

from caseapp import audit, localtime
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, NotFound, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Attachment, Case, Diversion, LegalEvent, Referral, User
from caseapp.models.case import CaseStatus, ChildRole
from caseapp.models.legal import (
    DETENTION_MAX_DAYS,
    DETENTION_MIN_AGE,
    DIVERSION_START_DAYS,
    LITMAS_DUE_HOURS,
    STAGE_STARTS,
    DiversionOutcome,
    DiversionStage,
    LegalEventKind,
    Under12Decision,
)
from caseapp.schemas.cases import years_between
from caseapp.schemas.legal import (
    DIVERSION_MAX_DAYS,
    DetentionOut,
    DiversionIn,
    DiversionOut,
    LegalEventIn,
    LegalEventListOut,
    LegalEventOut,
)
from caseapp.security.permissions import Permission
from caseapp.services.access import record_denial
from caseapp.services.cases.rules import shredded_refusal
from caseapp.services.proceedings import open_until, proceedings_open
from caseapp.services.referrals.access import may_read_shared
from caseapp.services.scoping import find_in_scope, parse_case_uuid, visible_cases

# Agency kinds of the justice chain: they record milestones on the cases referred to them.
LEGAL_AGENCY_KINDS = frozenset({"police", "justice", "court"})


@dataclass
class LegalAccess:
    """A case opened for its legal track: from the user's own scope, or through a referral to their agency."""

    case: Case
    referral: Referral | None = None


def access_to(actor: User, case_uuid: object) -> LegalAccess | None:
    """Return how the user may read the case's legal track (own scope, or a referral), or None."""
    uid = parse_case_uuid(case_uuid)
    return _access(actor, uid) if uid is not None else None


def _access(actor: User, uid: uuid.UUID) -> LegalAccess | None:
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
    return None


def open_case(actor: User, case_uuid: str) -> LegalAccess:
    """Return the case whose legal track the user may read, or raise NotFound (the attempt is audited)."""
    return find_in_scope(actor, case_uuid, partial(_access, actor), object_type="case")


def may_record(actor: User, access: LegalAccess) -> bool:
    """Say whether the user may record a milestone on the case opened this way."""
    if not actor.can(Permission.LEGAL_EVENT_RECORD) or access.case.status == CaseStatus.CANCELLED.value:
        return False
    if access.case.is_shredded:  # retention removed the identity: nothing can be sealed under its key
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


def _require_recording(actor: User, access: LegalAccess) -> None:
    if access.case.status == CaseStatus.CANCELLED.value:
        raise InvalidTransition(_("This step is not possible from the case's status."))
    if access.case.is_shredded:  # a step the case no longer allows, not a denial of one who may see it
        raise InvalidTransition(shredded_refusal())
    if not may_record(actor, access):
        record_denial(
            actor, Permission.LEGAL_EVENT_RECORD, object_type="case", object_id=str(access.case.uuid)
        )
        raise NotFound()


def _age_on(case: Case, day: date) -> int | None:
    """Return the child's age on a day: from the date of birth, or the estimated age at the incident plus
    the years since."""
    if case.child_dob:
        return years_between(date.fromisoformat(case.child_dob), day)
    if case.child_age is None:
        return None
    if case.incident_date is None:
        return case.child_age
    return case.child_age + max(0, years_between(case.incident_date, day))


def _may_detain(case: Case, day: date) -> None:
    """Refuse (409) a detention of a child who is not in conflict with the law or is under 14 on its day
    (UU SPPA Pasal 32 (2)), or one dated before the incident: the request is well formed, the case's child
    or dates do not allow it."""
    field = "kind"
    if case.child_role != ChildRole.IN_CONFLICT_WITH_LAW.value:
        message = _("Only a child in conflict with the law can be detained.")
    elif case.incident_date is not None and day < case.incident_date:
        field, message = "date", _("A detention cannot begin before the incident.")
    elif (_age_on(case, day) or 0) < DETENTION_MIN_AGE:
        message = _("A child under 14 may not be detained (UU SPPA Pasal 32).")
    else:
        return
    raise InvalidTransition(message, fields={field: [message]})


def record_event(actor: User, access: LegalAccess, value: LegalEventIn) -> LegalEvent:
    """Record a legal milestone on the case, for the actor's agency (audited: kind and agency, no text)."""
    _require_recording(actor, access)
    if value.kind is LegalEventKind.DETENTION_STARTED:
        _may_detain(access.case, value.date)
    event = LegalEvent(
        case=access.case,
        kind=value.kind.value,
        event_date=value.date,
        agency_id=actor.agency_id,
        recorded_by_id=actor.id,
        created_at=utcnow(),
        attachment=_attachment(access, value.attachment),
        requested_at=(
            (value.requested_at or utcnow()) if value.kind is LegalEventKind.LITMAS_REQUEST else None
        ),
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


def litmas_due(event: LegalEvent) -> datetime | None:
    """Return when Bapas's litmas is due for a litmas request (3x24 hours, UU SPPA Pasal 28), else None."""
    if event.kind != LegalEventKind.LITMAS_REQUEST.value or event.requested_at is None:
        return None
    return event.requested_at + timedelta(hours=LITMAS_DUE_HOURS)


def litmas_awaited(event: LegalEvent) -> bool:
    """Say whether a litmas request still waits: no litmas received has been recorded after it."""
    if event.kind != LegalEventKind.LITMAS_REQUEST.value:
        return False
    received = db.session.scalar(
        select(LegalEvent.id)
        .where(
            LegalEvent.case_id == event.case_id,
            LegalEvent.kind == LegalEventKind.LITMAS_RECEIVED.value,
            LegalEvent.id > event.id,
        )
        .limit(1)
    )
    return received is None


def litmas_overdue(event: LegalEvent, now: datetime | None = None) -> bool:
    """Say whether a litmas request is past its deadline and still waits."""
    due = litmas_due(event)
    return due is not None and (now or utcnow()) > due and litmas_awaited(event)


def pending_litmas(actor: User) -> list[tuple[LegalEvent, LegalAccess]]:
    """Return the litmas requests of the user's agency still awaited from Bapas, on cases the user reads:
    the requester's own, or any of them for whoever reads every case of the agency (a supervisor)."""
    stmt = (
        select(LegalEvent)
        .join(Case, Case.id == LegalEvent.case_id)
        .where(
            LegalEvent.kind == LegalEventKind.LITMAS_REQUEST.value,
            LegalEvent.agency_id == actor.agency_id,
            Case.status != CaseStatus.CANCELLED.value,
        )
        .order_by(LegalEvent.requested_at, LegalEvent.id)
        .limit(500)
    )
    if not actor.can(Permission.CASE_READ_AGENCY):
        stmt = stmt.where(LegalEvent.recorded_by_id == actor.id)
    out = []
    for event in db.session.scalars(stmt):
        if not litmas_awaited(event):
            continue
        access = access_to(actor, event.case.uuid)
        if access is not None:
            out.append((event, access))
    return out


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
        requested_at=event.requested_at,
        due_at=litmas_due(event),
        overdue=litmas_overdue(event),
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
        items=[as_out(e) for e in events],
        diversions=[diversion_out(d, events) for d in case_diversions(access.case)],
        detention=detention(events),
        proceedings_open=proceedings_open(access.case),
    )


def stage_on(events: list[LegalEvent], day: date) -> DiversionStage:
    """Return the stage of the proceedings on a day: the latest one opened by a milestone on or before it."""
    for stage, kind in STAGE_STARTS:
        if any(e.kind == kind.value and e.event_date <= day for e in events):
            return stage
    return DiversionStage.INVESTIGATION


def stage_start(events: list[LegalEvent], stage: DiversionStage) -> date | None:
    """Return the day a stage began (its opening milestone, the earliest if several), if recorded."""
    kind = dict(STAGE_STARTS).get(stage)
    days = [e.event_date for e in events if kind is not None and e.kind == kind.value]
    return min(days) if days else None


def detention(events: list[LegalEvent]) -> DetentionOut | None:
    """Return the detention in progress (the newest start with no end on or after it), with the day the
    limit of the stage it has reached (UU SPPA Pasal 33-35) says the child must be released: each stage's
    days count from the later of the detention's start and the stage's own start (the prosecutor's
    detention from P21, the court's from the trial)."""
    starts = [e for e in events if e.kind == LegalEventKind.DETENTION_STARTED.value]
    if not starts:
        return None
    since = max(e.event_date for e in starts)
    ended = any(e.kind == LegalEventKind.DETENTION_ENDED.value and e.event_date >= since for e in events)
    if ended:
        return None
    stage = stage_on(events, max(since, localtime.today()))
    counted_from = max(since, stage_start(events, stage) or since)
    release_by = counted_from + timedelta(days=DETENTION_MAX_DAYS[stage] - 1)
    return DetentionOut(
        since=since, stage=stage, release_by=release_by, overdue=localtime.today() > release_by
    )


def proceedings_until(
    case: Case, loaded: tuple[list[LegalEvent], list[Diversion]] | None = None
) -> date | None:
    """Return the last day proceedings count as open (None: none recorded; date.max: no verdict yet);
    `loaded`: the case's milestones and diversions when the caller has read them."""
    return open_until(case, loaded)


# SPPA diversion -------------------------------------------------------------------------------------------


def record_diversion(actor: User, access: LegalAccess, value: DiversionIn) -> Diversion:
    """Record a diversion attempt (or the under-12 decision) for a child in conflict with the law.

    Refused for a victim or a witness; a child under 12 at the incident gets no criminal process (UU SPPA
    Pasal 21): only the under-12 decision, and a child of 12 or more never gets it. Both refusals are 409:
    the request is well formed, the case's child does not allow it (as a closed case refuses an edit).
    """
    _require_recording(actor, access)
    case = access.case
    if case.child_role != ChildRole.IN_CONFLICT_WITH_LAW.value:
        message = _("Diversion applies only to a child in conflict with the law.")
        raise InvalidTransition(message, fields={"stage": [message]})
    under_12 = case.child_age is not None and case.child_age < 12
    if under_12 != (value.stage is DiversionStage.UNDER_12):
        message = (
            _("A child under 12 is not processed criminally (UU SPPA Pasal 21): record the decision.")
            if under_12
            else _("The under-12 decision is only for a child under 12.")
        )
        raise InvalidTransition(message, fields={"stage": [message]})
    row = Diversion(
        case=case,
        stage=value.stage.value,
        outcome=value.outcome.value,
        started_on=value.started_on,
        victim_agreed=value.victim_agreed,
        agreement_on=value.agreement_on,
        court_approved_on=value.court_approved_on,
        decision=value.decision.value if value.decision else None,
        agency_id=actor.agency_id,
        recorded_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.DIVERSION_RECORD,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={
            "diversion": str(row.uuid),
            "stage": row.stage,
            "outcome": row.outcome,
            "agency": actor.agency.code,
            "referral": access.referral.id if access.referral else None,
        },
    )
    return row


def case_diversions(case: Case) -> list[Diversion]:
    """Return the case's diversion attempts in date order."""
    stmt = select(Diversion).where(Diversion.case_id == case.id).order_by(Diversion.started_on, Diversion.id)
    return list(db.session.scalars(stmt))


def diversion_out(row: Diversion, events: list[LegalEvent]) -> DiversionOut:
    """Return the read shape of a diversion attempt (the case's milestones date its stage's start)."""
    overdue = (
        row.outcome == DiversionOutcome.ONGOING.value
        and (localtime.today() - row.started_on).days > DIVERSION_MAX_DAYS
    )
    began = stage_start(events, DiversionStage(row.stage))
    late = began is not None and (row.started_on - began).days > DIVERSION_START_DAYS
    return DiversionOut(
        id=row.uuid,
        stage=DiversionStage(row.stage),
        outcome=DiversionOutcome(row.outcome),
        started_on=row.started_on,
        victim_agreed=row.victim_agreed,
        agreement_on=row.agreement_on,
        court_approved_on=row.court_approved_on,
        decision=Under12Decision(row.decision) if row.decision else None,
        overdue=overdue,
        started_late=late,
        agency=row.agency.code,
        recorded_by=row.recorded_by.username,
        recorded_at=row.created_at,
    )
