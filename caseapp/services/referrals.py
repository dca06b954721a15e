"""Referrals: send with consent and need-to-know sections, respond with guarded transitions, deadlines.

The receiving agency never reads a case through `visible_cases`: it reads `shared_view(user, referral)`, which
holds exactly the sections the sender shared, for as long as the referral allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import false, or_, select, update

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Agency, Case, CaseEvent, CaseNote, ReferenceCode, ServiceRecord, User
from caseapp.models.case import PartyRole
from caseapp.models.referral import ConsentBy, DeclineReason, Referral, ReferralStatus, Section, Urgency
from caseapp.security.permissions import Permission, Role
from caseapp.services import access, cases, notify
from caseapp.services.scoping import visible_cases

DEFAULT_DUE = {Urgency.EMERGENCY.value: 24, Urgency.URGENT.value: 72, Urgency.ROUTINE.value: 24 * 7}  # hours
# What a receiving agency's kind gets by default; `notes` never.
DEFAULT_SECTIONS = {
    "police": [Section.IDENTITY, Section.INCIDENT, Section.PERPETRATOR],
    "health": [Section.IDENTITY, Section.INCIDENT],
    "social_services": [Section.IDENTITY, Section.CONTACT, Section.SERVICES],
    "women_child_protection": [Section.IDENTITY, Section.CONTACT, Section.INCIDENT, Section.SERVICES],
    "justice": [Section.IDENTITY, Section.INCIDENT],
    "legal_aid": [Section.IDENTITY, Section.INCIDENT],
}
OPEN = (ReferralStatus.SENT.value, ReferralStatus.ACCEPTED.value)
READABLE = (ReferralStatus.SENT.value, ReferralStatus.ACCEPTED.value, ReferralStatus.COMPLETED.value)
OUTCOMES = ("provided", "ongoing", "refused", "not_available")


def due_hours(urgency: str) -> int:
    """Return the response time of an urgency in hours (REFERRAL_DUE_HOURS overrides the defaults)."""
    configured = current_app.config.get("REFERRAL_DUE_HOURS") or {}
    return int(configured.get(urgency, DEFAULT_DUE[urgency]))


def default_sections(agency: Agency) -> list[str]:
    """Return the sections pre-ticked for an agency's kind."""
    return [s.value for s in DEFAULT_SECTIONS.get(agency.kind, [Section.IDENTITY])]


@dataclass
class ReferralInput:
    to_agency: str
    services: list[str]
    urgency: str
    reason: str
    shared_sections: list[str]
    consent_given_by: str
    consent_name: str
    consent_obtained_at: date | None
    legal_basis: str


def parse_referral(data: Any) -> ReferralInput:
    """Validate a referral body (API shape); raise ValidationFailed naming each bad field."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), fields={"": [_("Send a JSON object.")]})
    errors: dict[str, list[str]] = {}
    consent: dict[str, Any] = data["consent"] if isinstance(data.get("consent"), dict) else {}
    services: list[Any] = data["services"] if isinstance(data.get("services"), list) else []
    known_services = set(
        db.session.scalars(select(ReferenceCode.code).where(ReferenceCode.vocabulary == "service"))
    )
    if not services:
        errors["services"] = [_("Choose at least one service.")]
    elif any(not isinstance(s, str) or s not in known_services for s in services):
        errors["services"] = [_("Choose services from the list.")]
    urgency = data.get("urgency")
    if not isinstance(urgency, str) or urgency not in {u.value for u in Urgency}:
        errors["urgency"] = [_("Choose the urgency.")]
    sections: list[Any] = data["shared_sections"] if isinstance(data.get("shared_sections"), list) else []
    if any(not isinstance(s, str) or s not in {x.value for x in Section} for s in sections):
        errors["shared_sections"] = [_("Unknown value %(v)s.", v=str(sections)[:40])]
    reason: str = data["reason"] if isinstance(data.get("reason"), str) else ""
    if not reason.strip():
        errors["reason"] = [_("Say why the child is referred.")]
    elif len(reason) > 5000:
        errors["reason"] = [_("Use at most %(n)d characters.", n=5000)]
    given_by = consent.get("given_by") if isinstance(consent.get("given_by"), str) else None
    name: str = consent["name"] if isinstance(consent.get("name"), str) else ""
    basis: str = consent["legal_basis"] if isinstance(consent.get("legal_basis"), str) else ""
    obtained = None
    if given_by not in {c.value for c in ConsentBy}:
        errors["consent.given_by"] = [
            _("Record the consent: given by the child or guardian, or not required.")
        ]
    elif given_by == ConsentBy.NOT_REQUIRED.value:
        if not basis.strip():
            errors["consent.legal_basis"] = [_("Write down the legal basis for referring without consent.")]
    else:
        if not name.strip():
            errors["consent.name"] = [_("Who gave the consent?")]
        try:
            obtained = date.fromisoformat(str(consent.get("obtained_at")))
        except ValueError:
            errors["consent.obtained_at"] = [_("When was the consent given? (YYYY-MM-DD)")]
        else:
            if obtained > utcnow().date():
                errors["consent.obtained_at"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return ReferralInput(
        to_agency=str(data.get("to_agency") or ""),
        services=list(dict.fromkeys(services)),
        urgency=str(urgency),
        reason=reason.strip(),
        shared_sections=[s.value for s in Section if s.value in sections],
        consent_given_by=str(given_by),
        consent_name=name.strip()[:120],
        consent_obtained_at=obtained,
        legal_basis=basis.strip()[:2000],
    )


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


def _supervisors(agency_id: int) -> list[User]:
    """Return who answers for an agency's inbox: its supervisors, or every worker if it has none."""
    people = list(db.session.scalars(select(User).where(User.agency_id == agency_id, User.active.is_(True))))
    supervisors = [u for u in people if u.role == Role.SUPERVISOR.value]
    return supervisors or [u for u in people if u.can(Permission.REFERRAL_RESPOND)]


def send(actor: User, case: Case, value: ReferralInput) -> Referral:
    """Refer a visible case to another agency that accepts referrals."""
    if not actor.can(Permission.REFERRAL_SEND):
        access.record_denial(actor, Permission.REFERRAL_SEND)
        raise PermissionDenied(str(Permission.REFERRAL_SEND))
    to = db.session.scalar(select(Agency).where(Agency.code == value.to_agency))
    errors: dict[str, list[str]] = {}
    if to is None or not to.active or not to.accepts_referrals:
        errors["to_agency"] = [_("Choose an agency that accepts referrals.")]
    elif to.id == case.owner_agency_id or to.id == actor.agency_id:
        errors["to_agency"] = [_("A case cannot be referred to its own agency.")]
    if value.consent_given_by == ConsentBy.NOT_REQUIRED.value and not actor.can(
        Permission.CASE_CLOSE_APPROVE
    ):
        errors["consent.given_by"] = [_("Only a supervisor may refer without consent.")]
    identifying = {
        Section.IDENTITY.value,
        Section.CONTACT.value,
        Section.PERPETRATOR.value,
        Section.NOTES.value,
    }
    if (
        case.is_restricted
        and identifying & set(value.shared_sections)
        and actor.role != Role.SUPERVISOR.value
    ):
        errors["shared_sections"] = [
            _("On a restricted case only a supervisor can share identity, contact, perpetrator or notes.")
        ]
    if not case.is_open:
        errors["to_agency"] = [_("A closed or cancelled case cannot be referred.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    assert to is not None
    now = utcnow()
    referral = Referral(
        case=case,
        from_agency_id=case.owner_agency_id,
        from_user_id=actor.id,
        to_agency_id=to.id,
        status=ReferralStatus.SENT.value,
        urgency=value.urgency,
        services=",".join(value.services),
        shared_sections=",".join(value.shared_sections),
        consent_given_by=value.consent_given_by,
        consent_obtained_at=value.consent_obtained_at,
        sent_at=now,
        due_at=now + timedelta(hours=due_hours(value.urgency)),
    )
    db.session.add(referral)
    db.session.flush()
    referral.reason = value.reason
    referral.consent_name = value.consent_name or None
    referral.legal_basis = value.legal_basis or None
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
            "urgency": value.urgency,
            "sections": value.shared_sections,
            "consent": value.consent_given_by,
        },
    )
    notify.notify(_supervisors(to.id), "referral_new", referral)
    return referral


# Who sees what ---------------------------------------------------------------------------------------------


def visible_referrals(user: User) -> Any:
    """Return a select of referrals the user may list: their cases' (sender side) and their agency's inbox."""
    stmt = select(Referral)
    if not user.can(Permission.REFERRAL_RESPOND) and not user.can(Permission.REFERRAL_SEND):
        return stmt.where(false())
    own_cases = visible_cases(user).with_only_columns(Case.id)
    return stmt.where(or_(Referral.case_id.in_(own_cases), Referral.to_agency_id == user.agency_id))


def get_referral(actor: User, referral_id: Any) -> Referral:
    """Return a referral the actor may see (either side), or raise NotFound and audit the denial."""
    try:
        rid = int(referral_id)
    except (TypeError, ValueError):
        rid = -1
    referral = db.session.scalar(visible_referrals(actor).where(Referral.id == rid))
    if referral is None:
        access.record_denial(
            actor, Permission.REFERRAL_RESPOND, object_type="referral", object_id=str(referral_id)[:64]
        )
        raise NotFound()
    return referral


def is_sender_side(user: User, referral: Referral) -> bool:
    """Say whether the user sees the referral as the referring side (their case)."""
    return (
        db.session.scalar(visible_cases(user).where(Case.id == referral.case_id).with_only_columns(Case.id))
        is not None
    )


def may_read_shared(user: User, referral: Referral) -> bool:
    """Say whether the user may read the shared sections (receiving supervisor or assignee, while allowed)."""
    if referral.to_agency_id != user.agency_id or referral.status not in READABLE:
        return False
    if referral.case.status == "cancelled":
        return False
    if referral.status == ReferralStatus.COMPLETED.value and referral.completed_at is not None:
        # Read-only after completion, for a while (writing the report up), not for ever.
        days = int(current_app.config.get("REFERRAL_READ_AFTER_COMPLETION_DAYS", 30))
        if utcnow() > referral.completed_at + timedelta(days=days):
            return False
    return user.role == Role.SUPERVISOR.value or referral.assignee_id == user.id


def summary(referral: Referral, now: datetime) -> dict[str, Any]:
    """Return what anyone of either side may see: no identity, no story."""
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


def shared_view(actor: User, referral: Referral) -> dict[str, Any]:
    """Return exactly the shared sections of the case (absent sections are absent); audited as a case view."""
    if not may_read_shared(actor, referral):
        raise NotFound()
    case = referral.case
    sections = set(referral.sections)
    view: dict[str, Any] = {}
    if Section.IDENTITY.value in sections:
        view["identity"] = {
            "name": case.child_name,
            "sex": case.child_sex,
            "date_of_birth": case.child_dob,
            "age": case.child_age,
            "disability": case.child_disability,
            "nik_recorded": case.child_nik_ct is not None,
        }
    if Section.CONTACT.value in sections:
        view["contact"] = {
            "address": case.child_address,
            "kelurahan": case.child_kelurahan,
            "school": case.child_school,
            "guardians": [
                {"name": p.name, "phone": p.phone, "address": p.address, "relationship": p.relationship_code}
                for p in case.parties
                if p.role == PartyRole.GUARDIAN.value
            ],
        }
    if Section.INCIDENT.value in sections:
        view["incident"] = {
            "date": case.incident_date.isoformat() if case.incident_date else None,
            "date_is_approximate": case.incident_date_approximate,
            "kelurahan": case.incident_kelurahan,
            "place": case.place,
            "violence_types": [t.code for t in case.violence_types],
            "primary_violence_type": case.primary_violence_type,
            "ampk": [a.code for a in case.ampk],
            "narrative": case.narrative,
        }
    if Section.PERPETRATOR.value in sections:
        view["perpetrator"] = [
            {
                "name": p.name,
                "sex": p.sex,
                "age_group": p.age_group,
                "relationship": p.relationship_code,
                "address": p.address,
                "phone": p.phone,
            }
            for p in case.parties
            if p.role == PartyRole.PERPETRATOR.value
        ]
    if Section.SERVICES.value in sections:
        view["services"] = [
            {
                "service_type": s.service_type,
                "provider": s.provider_agency.code,
                "date": s.service_date.isoformat(),
                "outcome": s.outcome,
            }
            for s in cases.case_services(case)
        ]
    if Section.NOTES.value in sections:
        notes = select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.created_at.desc())
        view["notes"] = [
            {"kind": n.kind, "created_at": n.created_at.isoformat(), "body": n.body}
            for n in db.session.scalars(notes)
        ]
    audit.record(
        AuditAction.CASE_VIEW,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"referral": referral.id, "sections": sorted(view)},
    )
    return view


def view_referral(actor: User, referral_id: Any) -> Referral:
    """Open a referral (audited)."""
    referral = get_referral(actor, referral_id)
    audit.record(AuditAction.REFERRAL_VIEW, actor=actor, object_type="referral", object_id=referral.id)
    return referral


def list_referrals(actor: User, box: str, status: str = "") -> list[Referral]:
    """Return the actor's incoming (agency inbox) or outgoing (their cases') referrals, soonest due first."""
    if box == "incoming":
        stmt = select(Referral).where(Referral.to_agency_id == actor.agency_id)
    elif box == "outgoing":
        stmt = select(Referral).where(Referral.case_id.in_(visible_cases(actor).with_only_columns(Case.id)))
    else:
        raise ValidationFailed(
            _("Unknown value %(v)s.", v=box[:20]), fields={"box": [_("Use incoming or outgoing.")]}
        )
    if status == "open":
        stmt = stmt.where(Referral.status.in_(OPEN))
    elif status == "overdue":
        stmt = stmt.where(Referral.status == ReferralStatus.SENT.value, Referral.due_at < utcnow())
    elif status:
        if status not in {s.value for s in ReferralStatus}:
            raise ValidationFailed(
                _("Unknown value %(v)s.", v=status[:20]), fields={"status": [_("Unknown status.")]}
            )
        stmt = stmt.where(Referral.status == status)
    return list(db.session.scalars(stmt.order_by(Referral.due_at.asc(), Referral.id.asc()).limit(500)))


def open_incoming_count(actor: User) -> int:
    """Return how many referrals wait for (or are being served by) the actor's agency."""
    if not actor.can(Permission.REFERRAL_RESPOND):
        return 0
    stmt = (
        select(db.func.count())
        .select_from(Referral)
        .where(Referral.to_agency_id == actor.agency_id, Referral.status == ReferralStatus.SENT.value)
    )
    return int(db.session.scalar(stmt) or 0)


def overdue_for(actor: User) -> list[Referral]:
    """Return overdue referrals on both sides of the actor (for the supervisor's home page)."""
    now = utcnow()
    stmt = visible_referrals(actor).where(Referral.status == ReferralStatus.SENT.value, Referral.due_at < now)
    return list(db.session.scalars(stmt.order_by(Referral.due_at).limit(50)))


def case_referrals(case: Case) -> list[Referral]:
    """Return a case's referrals (the sender's view on the case page)."""
    return list(db.session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id)))


# Responding: guarded transitions ---------------------------------------------------------------------------


def _guarded(referral: Referral, expected: tuple[str, ...], *conditions: Any, **values: Any) -> None:
    """Move the referral only if it is still in an expected status; otherwise 409 with the current status."""
    result = db.session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status.in_(expected), *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        db.session.refresh(referral)
        raise InvalidTransition(
            _("This referral is already %(status)s.", status=referral.status),
            fields={"status": [referral.status]},
        )
    db.session.refresh(referral)


def _require_receiver(
    actor: User, referral: Referral, supervisor_only: bool = False, supervisor_or_assignee: bool = False
) -> None:
    """Refuse (403, audited) anyone but the receiving responders (or the supervisor, the assignee)."""
    ok = actor.can(Permission.REFERRAL_RESPOND) and referral.to_agency_id == actor.agency_id
    supervisor = actor.role == Role.SUPERVISOR.value
    if ok and supervisor_only:
        ok = supervisor
    if ok and supervisor_or_assignee:
        ok = supervisor or referral.assignee_id == actor.id
    if not ok:
        access.record_denial(
            actor, Permission.REFERRAL_RESPOND, object_type="referral", object_id=str(referral.id)
        )
        raise PermissionDenied(_("Only the receiving supervisor or the assignee may do this."))


def _agency_worker(agency_id: int, user_id: int | None) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if (
        user is None
        or user.agency_id != agency_id
        or not user.active
        or not user.can(Permission.REFERRAL_RESPOND)
    ):
        msg = _("Choose an active worker of the receiving agency.")
        raise ValidationFailed(msg, fields={"assignee": [msg]})
    return user


def accept(actor: User, referral: Referral, assignee_id: int | None = None) -> Referral:
    """Accept a sent referral; a supervisor may name the worker, a worker accepts it for themselves."""
    _require_receiver(actor, referral)
    if actor.role == Role.SUPERVISOR.value and assignee_id:
        assignee = _agency_worker(referral.to_agency_id, assignee_id)
    else:
        assignee = actor
    _guarded(
        referral,
        (ReferralStatus.SENT.value,),
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


def assign(actor: User, referral: Referral, assignee_id: int | None) -> Referral:
    """Hand a sent or accepted referral to a worker of the receiving agency (supervisors)."""
    _require_receiver(actor, referral, supervisor_only=True)
    assignee = _agency_worker(referral.to_agency_id, assignee_id)
    _guarded(referral, OPEN, assignee_id=assignee.id)
    audit.record(
        AuditAction.REFERRAL_ASSIGN,
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        details={"assignee": assignee.id},
    )
    notify.notify([assignee], "referral_assigned", referral)
    return referral


def decline(actor: User, referral: Referral, reason: str, note: str = "") -> Referral:
    """Decline a sent referral with a reason ("other" needs a note); the receiving side loses access."""
    _require_receiver(actor, referral, supervisor_or_assignee=True)
    if not isinstance(reason, str) or reason not in {r.value for r in DeclineReason}:
        msg = _("Choose why the referral is declined.")
        raise ValidationFailed(msg, fields={"reason": [msg]})
    if reason == DeclineReason.OTHER.value and not note.strip():
        msg = _("Explain the reason.")
        raise ValidationFailed(msg, fields={"note": [msg]})
    _guarded(
        referral,
        (ReferralStatus.SENT.value,),
        status=ReferralStatus.DECLINED.value,
        declined_at=utcnow(),
        decline_reason=reason,
    )
    referral.response_note = note.strip()[:2000] or None
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


def complete(actor: User, referral: Referral, outcome: str, note: str = "") -> Referral:
    """Complete an accepted referral; each requested service is recorded on the case."""
    _require_receiver(actor, referral, supervisor_or_assignee=True)
    if outcome not in OUTCOMES:
        msg = _("Choose the outcome.")
        raise ValidationFailed(msg, fields={"outcome": [msg]})
    now = utcnow()
    # A worker completes only while still the assignee (checked in the same guarded update).
    only_mine = () if actor.role == Role.SUPERVISOR.value else (Referral.assignee_id == actor.id,)
    _guarded(
        referral,
        (ReferralStatus.ACCEPTED.value,),
        *only_mine,
        status=ReferralStatus.COMPLETED.value,
        completed_at=now,
        outcome=outcome,
    )
    referral.response_note = note.strip()[:2000] or None
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
        record.note = note.strip()[:2000] or None
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


def withdraw(actor: User, referral: Referral, reason: str) -> Referral:
    """Withdraw a sent or accepted referral (the referring side, with a reason)."""
    if not actor.can(Permission.REFERRAL_SEND) or not is_sender_side(actor, referral):
        access.record_denial(
            actor, Permission.REFERRAL_SEND, object_type="referral", object_id=str(referral.id)
        )
        raise PermissionDenied(str(Permission.REFERRAL_SEND))
    if not reason.strip():
        msg = _("Say why the referral is withdrawn.")
        raise ValidationFailed(msg, fields={"reason": [msg]})
    _guarded(referral, OPEN, status=ReferralStatus.WITHDRAWN.value, withdrawn_at=utcnow())
    referral.response_note = reason.strip()[:2000]
    _event(referral, actor, "referral_withdrawn")
    audit.record(AuditAction.REFERRAL_WITHDRAW, actor=actor, object_type="referral", object_id=referral.id)
    told = [*_supervisors(referral.to_agency_id), *([referral.assignee] if referral.assignee else [])]
    notify.notify(told, "referral_withdrawn", referral)
    db.session.flush()
    return referral


def remind_overdue() -> int:
    """Notify receiving supervisors of overdue referrals, once a day per referral; return how many."""
    now = utcnow()
    today = now.date()
    stmt = select(Referral).where(
        Referral.status == ReferralStatus.SENT.value,
        Referral.due_at < now,
        or_(Referral.last_reminded_on.is_(None), Referral.last_reminded_on < today),
    )
    count = 0
    for referral in db.session.scalars(stmt):
        referral.last_reminded_on = today
        notify.notify(_supervisors(referral.to_agency_id), "referral_overdue", referral)
        audit.record(AuditAction.REFERRAL_REMIND, object_type="referral", object_id=referral.id)
        count += 1
    db.session.flush()
    return count
