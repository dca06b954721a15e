"""A case's record: register it, change it (whole or in part), compare it with what a user sent.

Input arrives validated (`caseapp.schemas.cases`); here it is written onto the case, S fields encrypted
with the case's own key, with the version check (`claim`) that keeps two writers from overwriting each
other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import upsert_insert, utcnow
from caseapp.errors import NotFound, StaleVersion
from caseapp.extensions import db
from caseapp.models import (
    Case,
    CaseAmpk,
    CaseEvent,
    CaseNumberCounter,
    CaseParty,
    CaseViolenceType,
    Region,
    User,
)
from caseapp.models.case import (
    AgeGroup,
    CaseStatus,
    ChildRole,
    Confidentiality,
    MaritalStatus,
    PartyRole,
    RiskLevel,
    SchoolStatus,
    age_group,
)
from caseapp.schemas.cases import CaseIn, CasePatch, ChildIn, IncidentIn, PartyIn
from caseapp.security.permissions import Permission
from caseapp.services import access, data_keys
from caseapp.services.cases import incidents, names
from caseapp.services.cases.domain import first_contact_due, initials, restricted_by_default
from caseapp.services.cases.duplicates import Duplicates, find_duplicates, nik_index
from caseapp.services.cases.rules import CaseStep, check, require
from caseapp.services.scoping import visible_cases


def next_case_number(year: int) -> str:
    """Return the next case number of the year, e.g. KDI-2026-00042 (atomic: concurrent registrations
    never share one)."""
    return reserve_case_numbers(year, 1)[0]


def reserve_case_numbers(year: int, count: int) -> list[str]:
    """Return `count` consecutive case numbers of the year in one statement (atomic, as `next_case_number`;
    for bulk loads such as the benchmark generator)."""
    if count < 1:
        return []
    upsert = (
        upsert_insert(db.session, CaseNumberCounter)
        .values(year=year, last=count)
        .on_conflict_do_update(
            index_elements=[CaseNumberCounter.year], set_={"last": CaseNumberCounter.last + count}
        )
        .returning(CaseNumberCounter.last)
    )
    last = int(db.session.execute(upsert).scalar_one())
    return [f"KDI-{year}-{number:05d}" for number in range(last - count + 1, last + 1)]


def is_restricted_input(value: CaseIn) -> bool:
    """Say whether a case with this input is restricted by default (see `restricted_by_default`)."""
    return restricted_by_default(value.incident.violence_types, value.incident.ampk, value.child.role)


def _kecamatan_of(kelurahan: str | None) -> str | None:
    if not kelurahan:
        return None
    return db.session.scalar(select(Region.parent_code).where(Region.code == kelurahan))


def _apply(case: Case, value: CaseIn) -> None:
    """Write every field of the input onto the case (encrypting S fields with the case's key)."""
    with db.session.no_autoflush:  # a half-written case must not be flushed by a look-up
        _apply_fields(case, value)


def _apply_fields(case: Case, value: CaseIn) -> None:
    child, incident = value.child, value.incident
    case.child_name = child.name
    case.child_initials = initials(child.name)
    case.child_nik = child.nik
    case.child_nik_bidx = nik_index(child.nik) if child.nik else None
    case.child_dob = child.date_of_birth.isoformat() if child.date_of_birth else None
    case.child_identity_bidx = names.identity_index(child.name, child.date_of_birth)
    case.child_address = child.address or None
    case.child_school = child.school or None
    case.child_sex = child.sex
    case.child_role = child.role.value
    case.child_age = child.age
    case.child_age_group = age_group(child.age)
    case.child_age_is_estimate = child.age_is_estimate
    case.child_disability = child.disability
    case.child_disability_types = ",".join(sorted(child.disability_types)) or None
    case.child_education = child.education
    case.child_school_status = child.school_status.value if child.school_status else None
    case.child_occupation = child.occupation
    case.child_marital_status = child.marital_status.value if child.marital_status else None
    case.child_regency = child.regency
    case.child_kelurahan = child.kelurahan
    case.kecamatan = _kecamatan_of(child.kelurahan)
    case.incident_date = incident.date
    case.incident_date_approximate = incident.date_is_approximate
    case.incident_kelurahan = incident.kelurahan
    case.incident_regency = incident.regency
    case.place = incident.place
    case.primary_violence_type = incident.primary_violence_type or ""
    case.narrative = incident.narrative or None
    case.channel = value.channel
    if case.risk_level != value.risk_level:
        case.risk_level = value.risk_level.value
        case.first_contact_due_at = first_contact_due(case.created_at or utcnow(), value.risk_level)
    wanted_types = set(incident.violence_types)
    case.violence_types = [t for t in case.violence_types if t.code in wanted_types] + [
        CaseViolenceType(code=c)
        for c in incident.violence_types
        if c not in {t.code for t in case.violence_types}
    ]
    wanted_ampk = set(incident.ampk)
    case.ampk = [a for a in case.ampk if a.code in wanted_ampk] + [
        CaseAmpk(code=c) for c in incident.ampk if c not in {a.code for a in case.ampk}
    ]


def _party_rows(case: Case, value: CaseIn) -> list[CaseParty]:
    rows = []
    for item in value.parties:
        party = CaseParty(case=case, role=item.role.value)
        party.name = item.name or None
        party.phone = item.phone or None
        party.address = item.address or None
        party.relationship_code = item.relationship
        party.sex = item.sex
        party.age_group = item.age_group.value if item.age_group else None
        party.is_child = item.is_child
        party.nik = item.nik
        party.education = item.education
        party.occupation = item.occupation
        party.marital_status = item.marital_status.value if item.marital_status else None
        rows.append(party)
    return rows


def disability_types(case: Case) -> list[str]:
    """Return the codes of the child's disabilities, in order."""
    return sorted(filter(None, (case.child_disability_types or "").split(",")))


def snapshot(case: Case) -> dict[str, Any]:
    """Return the case's current values by field path (decrypted), to compare and to show."""
    values: dict[str, Any] = {
        "child.name": case.child_name,
        "child.nik": case.child_nik,
        "child.sex": case.child_sex,
        "child.role": case.child_role,
        "child.date_of_birth": case.child_dob,
        "child.age": None if case.child_dob else case.child_age,
        "child.disability": case.child_disability,
        "child.disability_types": disability_types(case),
        "child.address": case.child_address or "",
        "child.kelurahan": case.child_kelurahan,
        "child.regency": case.child_regency,
        "child.school": case.child_school or "",
        "child.education": case.child_education,
        "child.school_status": case.child_school_status,
        "child.occupation": case.child_occupation,
        "child.marital_status": case.child_marital_status,
        "incident.date": case.incident_date.isoformat() if case.incident_date else None,
        "incident.date_is_approximate": case.incident_date_approximate,
        "incident.kelurahan": case.incident_kelurahan,
        "incident.regency": case.incident_regency,
        "incident.place": case.place,
        "incident.violence_types": sorted(t.code for t in case.violence_types),
        "incident.primary_violence_type": case.primary_violence_type,
        "incident.ampk": sorted(a.code for a in case.ampk),
        "incident.narrative": case.narrative or "",
        "channel": case.channel,
        "risk_level": case.risk_level,
        "parties": [
            (
                p.role,
                p.name or "",
                p.phone or "",
                p.address or "",
                p.relationship_code,
                p.sex,
                p.age_group,
                p.is_child,
                p.nik,
                p.education,
                p.occupation,
                p.marital_status,
            )
            for p in case.parties
        ],
    }
    return values


def input_snapshot(value: CaseIn) -> dict[str, Any]:
    """Return an input's values in the shape of `snapshot`."""
    child, incident = value.child, value.incident
    return {
        "child.name": child.name,
        "child.nik": child.nik,
        "child.sex": child.sex,
        "child.role": child.role,
        "child.date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "child.age": None if child.date_of_birth else child.age,
        "child.disability": child.disability,
        "child.disability_types": sorted(child.disability_types),
        "child.address": child.address,
        "child.kelurahan": child.kelurahan,
        "child.regency": child.regency,
        "child.school": child.school,
        "child.education": child.education,
        "child.school_status": child.school_status,
        "child.occupation": child.occupation,
        "child.marital_status": child.marital_status,
        "incident.date": incident.date.isoformat(),
        "incident.date_is_approximate": incident.date_is_approximate,
        "incident.kelurahan": incident.kelurahan,
        "incident.regency": incident.regency,
        "incident.place": incident.place,
        "incident.violence_types": sorted(incident.violence_types),
        "incident.primary_violence_type": incident.primary_violence_type,
        "incident.ampk": sorted(incident.ampk),
        "incident.narrative": incident.narrative,
        "channel": value.channel,
        "risk_level": value.risk_level,
        "parties": [
            (
                p.role,
                p.name,
                p.phone,
                p.address,
                p.relationship,
                p.sex,
                p.age_group,
                p.is_child,
                p.nik,
                p.education,
                p.occupation,
                p.marital_status,
            )
            for p in value.parties
        ],
    }


def current_input(case: Case) -> CaseIn:
    """Return the case's current values in the input shape (not validated: a change applied onto them is).

    Used to apply a partial change (`CasePatch.applied_to`); the NIK is the recorded one.
    """
    values = snapshot(case)
    dob = values["child.date_of_birth"]
    return CaseIn.model_construct(
        incident=IncidentIn.model_construct(
            date=case.incident_date,
            date_is_approximate=case.incident_date_approximate,
            kelurahan=case.incident_kelurahan,
            regency=case.incident_regency,
            place=case.place,
            violence_types=values["incident.violence_types"],
            primary_violence_type=case.primary_violence_type,
            ampk=values["incident.ampk"],
            narrative=values["incident.narrative"],
        ),
        child=ChildIn.model_construct(
            name=values["child.name"],
            nik=values["child.nik"],
            sex=case.child_sex,
            role=ChildRole(case.child_role),
            date_of_birth=date.fromisoformat(dob) if dob else None,
            age=values["child.age"],
            disability=case.child_disability,
            disability_types=values["child.disability_types"],
            address=values["child.address"],
            kelurahan=case.child_kelurahan,
            regency=case.child_regency,
            school=values["child.school"],
            education=case.child_education,
            school_status=SchoolStatus(case.child_school_status) if case.child_school_status else None,
            occupation=case.child_occupation,
            marital_status=MaritalStatus(case.child_marital_status) if case.child_marital_status else None,
        ),
        parties=[
            PartyIn.model_construct(
                role=PartyRole(role),
                name=name,
                phone=phone,
                address=address,
                relationship=relationship,
                sex=sex,
                age_group=AgeGroup(group) if group else None,
                is_child=is_child,
                nik=nik,
                education=education,
                occupation=occupation,
                marital_status=MaritalStatus(marital) if marital else None,
            )
            for (
                role,
                name,
                phone,
                address,
                relationship,
                sex,
                group,
                is_child,
                nik,
                education,
                occupation,
                marital,
            ) in values["parties"]
        ],
        channel=case.channel,
        risk_level=RiskLevel(case.risk_level),
    )


@dataclass
class Registered:
    """The outcome of a registration: the case, whether it is new, and what looked like a duplicate."""

    case: Case
    created: bool
    duplicates: Duplicates = field(default_factory=Duplicates)


def _idempotency_hash(actor: User, key: str | None) -> str | None:
    if not key:
        return None
    return hashlib.sha256(f"{actor.id}|{key.strip()[:200]}".encode()).hexdigest()


def registered_with(actor: User, idempotency_key: str | None) -> Case | None:
    """Return the case this user already registered with this idempotency key, if any."""
    key_hash = _idempotency_hash(actor, idempotency_key)
    if key_hash is None:
        return None
    case = db.session.scalar(select(Case).where(Case.idempotency_hash == key_hash))
    if case is None:
        return None
    # The case this key made may have been reassigned since: never hand back what the actor cannot see.
    if db.session.scalar(visible_cases(actor).where(Case.id == case.id).with_only_columns(Case.id)) is None:
        access.record_denial(actor, Permission.CASE_READ, object_type="case", object_id=str(case.uuid))
        raise NotFound()
    return case


def register_case(
    actor: User,
    value: CaseIn,
    idempotency_key: str | None = None,
    is_demo: bool = False,
    duplicates: Duplicates | None = None,
) -> Registered:
    """Register a case owned by the actor's agency and managed by the actor.

    A repeated submission with the same idempotency key returns the case the first one created. A caller
    that has already looked for duplicates (to warn first) passes what it found, so the look-up (and its
    audit entry) happens once.
    """
    require(actor, Permission.CASE_CREATE)
    key_hash = _idempotency_hash(actor, idempotency_key)
    existing = registered_with(actor, idempotency_key)
    if existing is not None:
        return Registered(existing, created=False)
    source = incidents.incident_case(actor, value.incident_of) if value.incident_of else None
    if source is not None:
        value = incidents.with_incident_of(source, value)
    if duplicates is None:
        duplicates = find_duplicates(actor, value)
    now = utcnow()
    try:
        with db.session.begin_nested():
            case = Case(
                case_number=next_case_number(now.year),
                status=CaseStatus.NEW.value,
                risk_level=value.risk_level.value,
                confidentiality=(
                    Confidentiality.RESTRICTED if is_restricted_input(value) else Confidentiality.NORMAL
                ).value,
                owner_agency_id=actor.agency_id,
                case_manager_id=actor.id,
                created_by_id=actor.id,
                data_key=data_keys.create_data_key(),
                idempotency_hash=key_hash,
                is_demo=is_demo,
                created_at=now,
                updated_at=now,
                first_contact_due_at=first_contact_due(now, value.risk_level),
            )
            db.session.add(case)
            _apply(case, value)
            case.parties = _party_rows(case, value)
            db.session.flush()
            names.reindex(case)
            if source is not None:
                incidents.join_at_registration(actor, case, source)
    except IntegrityError:
        # The same submission raced us to the idempotency key: hand back the case it created.
        existing = (
            db.session.scalar(select(Case).where(Case.idempotency_hash == key_hash)) if key_hash else None
        )
        if existing is None:
            raise
        return Registered(existing, created=False)
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind="created",
            to_status=case.status,
            actor_id=actor.id,
            subject_user_id=actor.id,
            created_at=now,
        )
    )
    audit.record(
        AuditAction.CASE_CREATE,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={
            "case_number": case.case_number,
            "restricted": case.is_restricted,
            "duplicate_warning": bool(duplicates),
            "incident": str(case.incident.uuid) if case.incident else None,
        },
    )
    db.session.flush()
    return Registered(case, created=True, duplicates=duplicates)


def claim(case: Case, version: int | None) -> None:
    """Take the case for this change if it is still at `version`; raise StaleVersion otherwise.

    A guarded UPDATE, first thing in the transaction: of two writers holding the same version exactly one
    matches the row; the other (on PostgreSQL it waits for the first to commit) matches nothing.
    """
    if version is None or version != case.version:
        raise StaleVersion(
            _("Someone changed this case after you opened it."), fields={"version": [str(case.version)]}
        )
    result = db.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.version == case.version)
        .values(version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise StaleVersion(_("Someone changed this case after you opened it."))
    set_committed_value(case, "version", case.version + 1)


def update_case(actor: User, case: Case, value: CaseIn, version: int | None) -> list[str]:
    """Replace the case's details with the input; return the changed field paths (audited by name only)."""
    check(actor, case, CaseStep.EDIT)
    if version != case.version:
        claim(case, version)  # raises StaleVersion, even when nothing would change
    before = snapshot(case)
    after = input_snapshot(value)
    changed = sorted(k for k in after if before.get(k) != after[k])
    if not changed:
        return []
    claim(case, version)
    _apply(case, value)
    if "parties" in changed:
        shared = incidents.shared_people(case)
        case.parties = _party_rows(case, value)
        incidents.keep_shared_people(case, shared)
    if "child.name" in changed:
        names.reindex(case)
    if not case.is_restricted and is_restricted_input(value):
        case.confidentiality = Confidentiality.RESTRICTED.value  # never loosened silently
    case.updated_at = utcnow()
    db.session.flush()
    audit.record(
        AuditAction.CASE_UPDATE, actor=actor, object_type="case", object_id=case.uuid, changed_fields=changed
    )
    return changed


def patch_case(actor: User, case: Case, patch: CasePatch) -> list[str]:
    """Apply a partial change onto the case's current values (the result passes every rule of a new case);
    return the changed field paths. A patch carrying only `version` changes nothing."""
    changed = update_case(actor, case, patch.applied_to(current_input(case)), patch.version)
    if not changed:  # the answer is the case as it is: a read, on record like every other read
        audit.record(AuditAction.CASE_VIEW, actor=actor, object_type="case", object_id=case.uuid)
    return changed


def differences(case: Case, value: CaseIn) -> dict[str, Any]:
    """Return the current saved values of the fields where the input differs from them."""
    current, mine = snapshot(case), input_snapshot(value)
    changed = {k: current.get(k) for k in mine if current.get(k) != mine[k]}
    if "child.nik" in changed:
        changed["child.nik"] = "••••"  # changed, but shown only through the audited reveal
    return changed
