"""What each side reads of a referral: the summary, the shared sections, the answer, lists and counts.

The receiving agency never reads a case through `visible_cases`: it reads `shared_view`, which holds
exactly the sections the sender shared, for as long as `access.may_read_shared` allows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import NotFound
from caseapp.extensions import db
from caseapp.models import Case, CaseNote, User
from caseapp.models.case import PartyRole, ServiceOutcome
from caseapp.models.referral import ChildAssent, ConsentBy, LegalBasis, Referral, ReferralStatus, Section
from caseapp.schemas.referrals import (
    OPEN_FILTER,
    OVERDUE_FILTER,
    ConsentOut,
    ContactOut,
    GuardianOut,
    IdentityOut,
    IncidentOut,
    PerpetratorOut,
    ReferralListQuery,
    ReferralOut,
    SharedCaseOut,
    SharedNoteOut,
    SharedServiceOut,
)
from caseapp.security.permissions import Permission
from caseapp.services import attachments, cases
from caseapp.services.referrals.access import (
    OPEN,
    is_sender_side,
    may_read_shared,
    visible_referrals,
)
from caseapp.services.scoping import find_in_scope, visible_cases

LIST_LIMIT = 500


def get_referral(actor: User, referral_id: Any) -> Referral:
    """Return a referral the actor may see (either side), or raise NotFound and audit the denial."""

    def find(rid: int) -> Referral | None:
        return db.session.scalar(visible_referrals(actor).where(Referral.id == rid))

    return find_in_scope(
        actor, referral_id, find, object_type="referral", permission=Permission.REFERRAL_RESPOND, key=_int
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def view_referral(actor: User, referral_id: Any) -> Referral:
    """Open a referral (audited)."""
    referral = get_referral(actor, referral_id)
    audit.record(AuditAction.REFERRAL_VIEW, actor=actor, object_type="referral", object_id=referral.id)
    return referral


# One referral ---------------------------------------------------------------------------------------------


def _summary_fields(referral: Referral, now: datetime) -> dict[str, Any]:
    return {
        "id": referral.id,
        "case_number": referral.case.case_number,
        "from_agency": referral.from_agency.code,
        "to_agency": referral.to_agency.code,
        "status": referral.status,
        "urgency": referral.urgency,
        "services": referral.service_codes,
        "shared_sections": referral.sections,
        "sent_at": referral.sent_at,
        "due_at": referral.due_at,
        "overdue": referral.is_overdue(now),
        "assignee": referral.assignee.username if referral.assignee else None,
        "decline_reason": referral.decline_reason,
        "outcome": referral.outcome,
    }


def summary(referral: Referral, now: datetime) -> ReferralOut:
    """Return what anyone of either side may see: no identity, no story."""
    return ReferralOut.model_validate(_summary_fields(referral, now))


def shared_view(actor: User, referral: Referral) -> SharedCaseOut:
    """Return exactly the shared sections of the case (absent sections are absent); audited as a case view."""
    if not may_read_shared(actor, referral):
        raise NotFound()
    case = referral.case
    sections = set(referral.sections)
    view: dict[str, Any] = {}
    if Section.IDENTITY.value in sections:
        view["identity"] = IdentityOut(
            name=case.child_name,
            sex=case.child_sex,
            date_of_birth=case.child_dob,
            age=case.child_age,
            disability=case.child_disability,
            nik_recorded=case.child_nik_ct is not None,
        )
    if Section.CONTACT.value in sections:
        view["contact"] = ContactOut(
            address=case.child_address,
            kelurahan=case.child_kelurahan,
            school=case.child_school,
            guardians=[
                GuardianOut(name=p.name, phone=p.phone, address=p.address, relationship=p.relationship_code)
                for p in case.parties
                if p.role == PartyRole.GUARDIAN.value
            ],
        )
    if Section.INCIDENT.value in sections:
        view["incident"] = IncidentOut(
            date=case.incident_date,
            date_is_approximate=case.incident_date_approximate,
            kelurahan=case.incident_kelurahan,
            place=case.place,
            violence_types=[t.code for t in case.violence_types],
            primary_violence_type=case.primary_violence_type,
            ampk=[a.code for a in case.ampk],
            narrative=case.narrative,
        )
    if Section.PERPETRATOR.value in sections:
        view["perpetrator"] = [
            PerpetratorOut(
                name=p.name,
                sex=p.sex,
                age_group=p.age_group,
                relationship=p.relationship_code,
                address=p.address,
                phone=p.phone,
            )
            for p in case.parties
            if p.role == PartyRole.PERPETRATOR.value
        ]
    if Section.SERVICES.value in sections:
        view["services"] = [
            SharedServiceOut(
                service_type=s.service_type,
                provider=s.provider_agency.code,
                date=s.service_date,
                outcome=ServiceOutcome(s.outcome),
            )
            for s in cases.case_services(case)
        ]
    if Section.NOTES.value in sections:
        notes = select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.created_at.desc())
        view["notes"] = [
            SharedNoteOut(kind=n.kind, created_at=n.created_at, body=n.body)
            for n in db.session.scalars(notes)
        ]
    shared_files = attachments.shared_attachments(referral)
    if shared_files is not None:
        view["attachments"] = [attachments.as_out(a) for a in shared_files]
    audit.record(
        AuditAction.CASE_VIEW,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"referral": referral.id, "sections": sorted(view)},
    )
    return SharedCaseOut(**view)


def as_seen_by(actor: User, referral: Referral, *, with_shared: bool = False) -> ReferralOut:
    """Return the referral as the actor may read it: the summary, plus the sender's or the readers' parts.

    `with_shared` (opening the referral) adds the shared sections for the receiving supervisor and assignee.
    """
    fields = _summary_fields(referral, utcnow())
    sender = is_sender_side(actor, referral)
    reader = may_read_shared(actor, referral)
    if sender or reader:
        fields["response_note"] = referral.response_note  # decline note, completion note or withdrawal reason
    if sender:
        fields["case_id"] = referral.case.uuid
        fields["reason"] = referral.reason
        fields["consent"] = ConsentOut(
            given_by=ConsentBy(referral.consent_given_by),
            name=referral.consent_name,
            obtained_at=referral.consent_obtained_at,
            assent=ChildAssent(referral.consent_assent) if referral.consent_assent else None,
            legal_basis_code=(
                LegalBasis(referral.consent_legal_basis) if referral.consent_legal_basis else None
            ),
            legal_basis=referral.legal_basis,
        )
    if with_shared and reader:
        fields["reason"] = referral.reason
        fields["case"] = shared_view(actor, referral)
    return ReferralOut.model_validate(fields)


# Lists and counts -----------------------------------------------------------------------------------------


def list_referrals(actor: User, query: ReferralListQuery) -> list[Referral]:
    """Return the actor's incoming (agency inbox) or outgoing (their cases') referrals, soonest due first."""
    if query.box == "incoming":
        stmt = select(Referral).where(Referral.to_agency_id == actor.agency_id)
    else:
        stmt = select(Referral).where(Referral.case_id.in_(visible_cases(actor).with_only_columns(Case.id)))
    if query.status == OPEN_FILTER:
        stmt = stmt.where(Referral.status.in_(OPEN))
    elif query.status == OVERDUE_FILTER:
        stmt = stmt.where(Referral.status == ReferralStatus.SENT.value, Referral.due_at < utcnow())
    elif query.status:
        stmt = stmt.where(Referral.status == query.status)
    order = (Referral.due_at.asc(), Referral.id.asc())
    return list(db.session.scalars(stmt.order_by(*order).limit(LIST_LIMIT)))


def incoming_pending(actor: User) -> list[Referral]:
    """Return the referrals waiting for an answer from the actor's agency."""
    return list_referrals(actor, ReferralListQuery(box="incoming", status=ReferralStatus.SENT.value))


def incoming_overdue(actor: User) -> list[Referral]:
    """Return the referrals the actor's agency has not answered in time."""
    return list_referrals(actor, ReferralListQuery(box="incoming", status=OVERDUE_FILTER))


def outgoing_pending(actor: User) -> list[Referral]:
    """Return the referrals of the actor's cases still waiting for an answer."""
    return list_referrals(actor, ReferralListQuery(box="outgoing", status=ReferralStatus.SENT.value))


def outgoing_overdue(actor: User) -> list[Referral]:
    """Return the referrals of the actor's cases the other agency has not answered in time."""
    return list_referrals(actor, ReferralListQuery(box="outgoing", status=OVERDUE_FILTER))


def overdue_for(actor: User) -> list[Referral]:
    """Return overdue referrals on both sides of the actor (for the supervisor's home page)."""
    stmt = visible_referrals(actor).where(
        Referral.status == ReferralStatus.SENT.value, Referral.due_at < utcnow()
    )
    return list(db.session.scalars(stmt.order_by(Referral.due_at).limit(50)))


def assigned_to(actor: User) -> list[Referral]:
    """Return the open referrals the actor is assigned to answer, soonest due first (their home page)."""
    stmt = visible_referrals(actor).where(
        Referral.assignee_id == actor.id,
        Referral.status.in_([ReferralStatus.SENT.value, ReferralStatus.ACCEPTED.value]),
    )
    return list(db.session.scalars(stmt.order_by(Referral.due_at).limit(50)))


def open_incoming_count(actor: User) -> int:
    """Return how many referrals wait for an answer from the actor's agency."""
    if not actor.can(Permission.REFERRAL_RESPOND):
        return 0
    stmt = (
        select(db.func.count())
        .select_from(Referral)
        .where(Referral.to_agency_id == actor.agency_id, Referral.status == ReferralStatus.SENT.value)
    )
    return int(db.session.scalar(stmt) or 0)


def case_referrals(case: Case) -> list[Referral]:
    """Return a case's referrals (the sender's view on the case page): each with the agency it went to, and
    nothing else joined (the model joins the case, both agencies and both users by default: 10 joins and
    ~190 columns for a list that shows an agency's code)."""
    stmt = (
        select(Referral)
        .where(Referral.case_id == case.id)
        .order_by(Referral.id)
        .options(lazyload("*"), joinedload(Referral.to_agency))
    )
    return list(db.session.scalars(stmt))
