"""The referral workflow: send with consent and need-to-know sections, respond with guarded steps, remind.

Every step takes a validated body (`caseapp.schemas.referrals`), asks `access` whether the actor may take
it, moves the referral with a guarded update (exactly one of two concurrent steps wins), records a case
event and an audit entry, and notifies the other side.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from caseapp import audit
from caseapp import labels as L
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, PermissionDenied, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Agency, Case, CaseEvent, ServiceRecord, User
from caseapp.models.case import PartyRole
from caseapp.models.referral import ConsentBy, Referral, ReferralStatus, Section, Urgency
from caseapp.schemas.referrals import AcceptIn, AssignIn, CompleteIn, DeclineIn, ReferralIn, WithdrawIn
from caseapp.security.permissions import Permission
from caseapp.services import notify
from caseapp.services.access import record_denial
from caseapp.services.referrals.access import (
    STEP_FROM,
    Step,
    may_be_assigned,
    may_refer_without_consent,
    may_share,
    require_step,
    responders,
    supervises,
)

DEFAULT_DUE = {Urgency.EMERGENCY.value: 24, Urgency.URGENT.value: 72, Urgency.ROUTINE.value: 24 * 7}  # hours
# What a receiving agency's kind gets by default; `notes` never.
DEFAULT_SECTIONS = {
    "police": [Section.IDENTITY, Section.INCIDENT, Section.PERPETRATOR],
    "health": [Section.IDENTITY, Section.INCIDENT],
    "social_services": [Section.IDENTITY, Section.CONTACT, Section.SERVICES],
    "women_child_protection": [Section.IDENTITY, Section.CONTACT, Section.INCIDENT, Section.SERVICES],
    "justice": [Section.IDENTITY, Section.INCIDENT, Section.PERPETRATOR],  # Bapas (litmas), Kejari
    "court": [Section.IDENTITY, Section.INCIDENT, Section.PERPETRATOR],
    "victim_protection": [
        Section.IDENTITY,
        Section.CONTACT,
        Section.INCIDENT,
    ],  # LPSK: protection, restitution
    "legal_aid": [Section.IDENTITY, Section.INCIDENT],
}


def due_hours(urgency: str) -> int:
    """Return the response time of an urgency in hours (REFERRAL_DUE_HOURS overrides the defaults)."""
    configured = current_app.config.get("REFERRAL_DUE_HOURS") or {}
    return int(configured.get(urgency, DEFAULT_DUE[urgency]))


def default_sections(agency: Agency) -> list[str]:
    """Return the sections pre-ticked for an agency's kind."""
    return [s.value for s in DEFAULT_SECTIONS.get(agency.kind, [Section.IDENTITY])]


def _event(referral: Referral, actor: User, kind: str, reason: str | None = None) -> None:
    db.session.add(
        CaseEvent(
            case_id=referral.case_id,
            kind=kind,
            reason=reason or referral.to_agency.code,
            actor_id=actor.id,
            created_at=utcnow(),
        )
    )


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)


# Sending --------------------------------------------------------------------------------------------------


# Relationships of an alleged perpetrator that make them the child's parent: their consent cannot protect
# the child (the referral form says so and offers the legal basis to a supervisor).
PARENT_RELATIONSHIPS = frozenset({"parent", "step_parent"})


def guardian_suspected(case: Case) -> bool:
    """Say whether an alleged perpetrator on the case is the child's parent or step-parent."""
    return any(
        p.role == PartyRole.PERPETRATOR.value and p.relationship_code in PARENT_RELATIONSHIPS
        for p in case.parties
    )


def send(actor: User, case: Case, value: ReferralIn) -> Referral:
    """Refer a visible case to another agency that accepts referrals."""
    if not actor.can(Permission.REFERRAL_SEND):
        record_denial(actor, Permission.REFERRAL_SEND)
        raise PermissionDenied(str(Permission.REFERRAL_SEND))
    to = db.session.scalar(select(Agency).where(Agency.code == value.to_agency))
    sections = [s.value for s in value.shared_sections]
    errors: dict[str, list[str]] = {}
    if to is None or not to.active or not to.accepts_referrals:
        errors["to_agency"] = [_("Choose an agency that accepts referrals.")]
    elif to.id == case.owner_agency_id or to.id == actor.agency_id:
        errors["to_agency"] = [_("A case cannot be referred to its own agency.")]
    if value.consent.given_by == ConsentBy.NOT_REQUIRED and not may_refer_without_consent(actor):
        errors["consent.given_by"] = [_("Only a supervisor may refer without consent.")]
    if not may_share(actor, case, sections):
        errors["shared_sections"] = [
            _("On a restricted case only a supervisor can share identity, contact, perpetrator or notes.")
        ]
    if not case.is_open:
        errors["to_agency"] = [_("A closed or cancelled case cannot be referred.")]
    _refuse(errors)
    assert to is not None
    now = utcnow()
    urgency = value.urgency.value
    referral = Referral(
        case=case,
        from_agency_id=case.owner_agency_id,
        from_user_id=actor.id,
        to_agency_id=to.id,
        status=ReferralStatus.SENT.value,
        urgency=urgency,
        services=",".join(value.services),
        shared_sections=",".join(sections),
        consent_given_by=value.consent.given_by.value,
        consent_obtained_at=value.consent.obtained_at,
        consent_assent=value.consent.assent.value if value.consent.assent else None,
        consent_legal_basis=(
            value.consent.legal_basis_code.value if value.consent.legal_basis_code else None
        ),
        sent_at=now,
        due_at=now + timedelta(hours=due_hours(urgency)),
    )
    db.session.add(referral)
    db.session.flush()
    referral.reason = value.reason
    referral.consent_name = value.consent.name or None
    referral.legal_basis = value.consent.legal_basis or None
    db.session.flush()
    _event(referral, actor, "referral_sent")
    audit.record(
        AuditAction.REFERRAL_SEND,
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        details={
            "case": str(case.uuid),
            "to": to.code,
            "urgency": urgency,
            "sections": sections,
            "consent": value.consent.given_by.value,
            "assent": value.consent.assent.value if value.consent.assent else None,
            "legal_basis": value.consent.legal_basis_code.value if value.consent.legal_basis_code else None,
        },
    )
    notify.notify(responders(to.id), "referral_new", referral)
    return referral


# Responding: guarded steps --------------------------------------------------------------------------------


def _guarded(referral: Referral, step: Step, *conditions: Any, **values: Any) -> None:
    """Move the referral only if it is still where the step starts; otherwise 409 with the current status."""
    result = db.session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status.in_(STEP_FROM[step]), *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        db.session.refresh(referral)
        raise InvalidTransition(
            _(
                "This referral is already %(status)s.",
                status=L.label(L.REFERRAL_STATUS_LABELS, referral.status),
            ),
            fields={"status": [referral.status]},
        )
    db.session.refresh(referral)


def _assignee(referral: Referral, username: str | None) -> User:
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    if user is None or not may_be_assigned(user, referral):
        msg = _("Choose an active worker of the receiving agency.")
        raise ValidationFailed(msg, fields={"assignee": [msg]})
    return user


def accept(actor: User, referral: Referral, value: AcceptIn) -> Referral:
    """Accept a sent referral; a supervisor may name the worker, a worker accepts it for themselves."""
    require_step(actor, referral, Step.ACCEPT)
    if value.assignee and supervises(actor, referral):
        assignee = _assignee(referral, value.assignee)
    else:
        assignee = actor
    _guarded(
        referral,
        Step.ACCEPT,
        status=ReferralStatus.ACCEPTED.value,
        accepted_at=utcnow(),
        assignee_id=assignee.id,
    )
    _event(referral, actor, "referral_accepted")
    audit.record(
        AuditAction.REFERRAL_ACCEPT,
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        details={"assignee": assignee.id},
    )
    notify.notify([referral.from_user, referral.case.case_manager], "referral_accepted", referral)
    if assignee.id != actor.id:
        notify.notify([assignee], "referral_assigned", referral)
    return referral


def assign(actor: User, referral: Referral, value: AssignIn) -> Referral:
    """Hand a sent or accepted referral to a worker of the receiving agency (supervisors)."""
    require_step(actor, referral, Step.ASSIGN)
    assignee = _assignee(referral, value.assignee)
    _guarded(referral, Step.ASSIGN, assignee_id=assignee.id)
    audit.record(
        AuditAction.REFERRAL_ASSIGN,
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        details={"assignee": assignee.id},
    )
    notify.notify([assignee], "referral_assigned", referral)
    return referral


def decline(actor: User, referral: Referral, value: DeclineIn) -> Referral:
    """Decline a sent referral with a reason ("other" needs a note); the receiving side loses access."""
    require_step(actor, referral, Step.DECLINE)
    reason = value.reason.value
    _guarded(
        referral,
        Step.DECLINE,
        status=ReferralStatus.DECLINED.value,
        declined_at=utcnow(),
        decline_reason=reason,
    )
    referral.response_note = value.note or None
    _event(referral, actor, "referral_declined", reason)
    audit.record(
        AuditAction.REFERRAL_DECLINE,
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        details={"reason": reason},
    )
    notify.notify([referral.from_user, referral.case.case_manager], "referral_declined", referral)
    db.session.flush()
    return referral


def complete(actor: User, referral: Referral, value: CompleteIn) -> Referral:
    """Complete an accepted referral; each requested service is recorded on the case."""
    require_step(actor, referral, Step.COMPLETE)
    outcome = value.outcome.value
    now = utcnow()
    # Anyone but a supervisor completes only while still the assignee (checked in the same guarded update).
    only_mine = () if supervises(actor, referral) else (Referral.assignee_id == actor.id,)
    _guarded(
        referral,
        Step.COMPLETE,
        *only_mine,
        status=ReferralStatus.COMPLETED.value,
        completed_at=now,
        outcome=outcome,
    )
    note = value.note or None
    referral.response_note = note
    for code in referral.service_codes:
        record = ServiceRecord(
            case_id=referral.case_id,
            service_type=code,
            provider_agency_id=referral.to_agency_id,
            service_date=now.date(),
            outcome=outcome,
            created_by_id=actor.id,
            created_at=now,
        )
        record.case = referral.case
        record.note = note
        db.session.add(record)
    _event(referral, actor, "referral_completed", outcome)
    audit.record(
        AuditAction.REFERRAL_COMPLETE,
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        details={"outcome": outcome, "services": referral.service_codes},
    )
    notify.notify([referral.from_user, referral.case.case_manager], "referral_completed", referral)
    db.session.flush()
    return referral


def withdraw(actor: User, referral: Referral, value: WithdrawIn) -> Referral:
    """Withdraw a sent or accepted referral (the referring side, with a reason)."""
    require_step(actor, referral, Step.WITHDRAW)
    _guarded(referral, Step.WITHDRAW, status=ReferralStatus.WITHDRAWN.value, withdrawn_at=utcnow())
    referral.response_note = value.reason
    _event(referral, actor, "referral_withdrawn")
    audit.record(AuditAction.REFERRAL_WITHDRAW, actor=actor, object_type="referral", object_id=referral.id)
    told = [*responders(referral.to_agency_id), *([referral.assignee] if referral.assignee else [])]
    notify.notify(told, "referral_withdrawn", referral)
    db.session.flush()
    return referral


# Deadlines ------------------------------------------------------------------------------------------------


def remind_overdue(limit: int | None = None) -> int:
    """Notify receiving supervisors of overdue referrals, once a day per referral; return how many.

    `limit`: at most this many (the job commits batch by batch). The rows are claimed (PostgreSQL skips the
    ones another worker holds), so several workers running the job at once share the work and never remind
    one referral twice.
    """
    now = utcnow()
    today = now.date()
    stmt = (
        select(Referral)
        .where(
            Referral.status == ReferralStatus.SENT.value,
            Referral.due_at < now,
            or_(Referral.last_reminded_on.is_(None), Referral.last_reminded_on < today),
        )
        .order_by(Referral.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Referral)
    )
    count = 0
    for referral in db.session.scalars(stmt).all():
        referral.last_reminded_on = today
        notify.notify(responders(referral.to_agency_id), "referral_overdue", referral)
        audit.record(AuditAction.REFERRAL_REMIND, object_type="referral", object_id=referral.id)
        count += 1
    db.session.flush()
    return count
