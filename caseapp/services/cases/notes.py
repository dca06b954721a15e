"""What is written on a case over time: notes (encrypted) and the services delivered to the child."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.extensions import db
from caseapp.models import Agency, Case, CaseNote, ServiceRecord, User
from caseapp.models.case import ChildRole, NoteKind, PartyRole
from caseapp.schemas.cases import NoteIn, ServiceIn
from caseapp.services.cases.rules import CaseStep, check

# UU TPKS (UU 12/2022) Pasal 23 forbids settling sexual violence out of court, except when the perpetrator
# is a child (then UU SPPA: diversion, only for an offence punished by less than 7 years). The TPKS forms
# (Pasal 4) as the case records them: sexual violence, sexual exploitation, electronic sexual violence,
# forced marriage and trafficking among the forms of violence, and the AMPK categories of sexual crime,
# sexual exploitation, pornography and trafficking.
SEXUAL_VIOLENCE = "sexual"
SEXUAL_CRIME_AMPK = "sexual_crime_victim"
TPKS_VIOLENCE = frozenset(
    {SEXUAL_VIOLENCE, "trafficking", "sexual_exploitation", "electronic_sexual", "forced_marriage"}
)
TPKS_AMPK = frozenset(
    {SEXUAL_CRIME_AMPK, "economic_sexual_exploitation", "pornography_victim", "abduction_trafficking"}
)


def is_tpks_case(case: Case) -> bool:
    """Say whether the case records a form of sexual violence of UU TPKS Pasal 4."""
    return bool(
        {t.code for t in case.violence_types} & TPKS_VIOLENCE or {a.code for a in case.ampk} & TPKS_AMPK
    )


def has_child_perpetrator(case: Case) -> bool:
    """Say whether an alleged perpetrator is a child (a party marked a child or of a child's age group, or
    the case's own child is the one in conflict with the law)."""
    if case.child_role == ChildRole.IN_CONFLICT_WITH_LAW.value:
        return True
    return any(p.role == PartyRole.PERPETRATOR.value and p.is_child for p in case.parties)


def mediation_warning(case: Case) -> str | None:
    """Return the warning for mediation recorded on the case (None when there is nothing to warn of)."""
    if not is_tpks_case(case):
        return None
    if has_child_perpetrator(case):
        return _(
            "Mediation was recorded on a sexual-violence case whose alleged perpetrator is a child. UU TPKS "
            "Pasal 23 excepts child perpetrators: only SPPA diversion (an offence punished by less than 7 "
            "years, not a repeat offence), with the victim's agreement and the court's approval, may settle "
            "it outside a trial."
        )
    return _(
        "Mediation was recorded on a sexual-violence case. UU TPKS (UU 12/2022, Pasal 23) forbids "
        "settling sexual violence out of court: the case must go on through the criminal process."
    )


def add_note(actor: User, case: Case, value: NoteIn) -> tuple[CaseNote, str | None]:
    """Add an encrypted note; return it and a warning to show (mediation on a sexual-violence case)."""
    check(actor, case, CaseStep.NOTE)
    note = CaseNote(
        case=case,
        kind=value.kind.value,
        visibility=value.visibility.value,
        author_id=actor.id,
        created_at=utcnow(),
    )
    note.body = value.body
    db.session.add(note)
    db.session.flush()
    audit.record(
        AuditAction.NOTE_CREATE,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"note": note.id, "kind": value.kind.value},
    )
    warning = mediation_warning(case) if value.kind is NoteKind.MEDIATION else None
    return note, warning


def visible_notes(actor: User, case: Case) -> list[CaseNote]:
    """Return the notes of a visible case, newest first."""
    stmt = (
        select(CaseNote)
        .where(CaseNote.case_id == case.id)
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
        .options(joinedload(CaseNote.author).lazyload(User.agency))  # the note names its author only
    )
    return list(db.session.scalars(stmt))


def add_service(actor: User, case: Case, value: ServiceIn) -> ServiceRecord:
    """Record a service delivered to the child."""
    check(actor, case, CaseStep.SERVICE)
    # Checked here too: the schema's list of agencies is a cache that another process may hold for minutes.
    provider = db.session.scalar(select(Agency).where(Agency.code == value.provider, Agency.active.is_(True)))
    if provider is None:
        msg = _("Choose the agency that provided the service.")
        raise ValidationFailed(msg, fields={"provider": [msg]})
    record = ServiceRecord(
        case=case,
        service_type=value.service_type,
        provider_agency_id=provider.id,
        service_date=value.date,
        outcome=value.outcome.value,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    record.note = value.note or None
    db.session.add(record)
    db.session.flush()
    audit.record(
        AuditAction.SERVICE_CREATE,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"service": record.id, "service_type": value.service_type, "provider": provider.code},
    )
    return record


def case_services(case: Case) -> list[ServiceRecord]:
    """Return the services of a case, newest first."""
    stmt = (
        select(ServiceRecord)
        .where(ServiceRecord.case_id == case.id)
        .order_by(ServiceRecord.service_date.desc(), ServiceRecord.id.desc())
    )
    return list(db.session.scalars(stmt))
