"""Cases: register, find, view, update, move through their lifecycle, assign, notes and services.

Every function takes the acting user, reads cases only through `visible_cases`, writes its audit entry in
the same transaction, flushes and never commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import upsert_insert, utcnow
from caseapp.errors import InvalidTransition, NotFound, PermissionDenied, StaleVersion, ValidationFailed
from caseapp.extensions import db
from caseapp.models import (
    Agency,
    Case,
    CaseAmpk,
    CaseEvent,
    CaseNote,
    CaseNumberCounter,
    CaseParty,
    CaseTeamMember,
    CaseViolenceType,
    ReferenceCode,
    Region,
    ServiceRecord,
    User,
)
from caseapp.models.case import (
    CancelReason,
    CaseStatus,
    Confidentiality,
    NoteKind,
    NoteVisibility,
    ReopenReason,
    RiskLevel,
    ServiceOutcome,
    age_group,
)
from caseapp.security import crypto
from caseapp.security.keys import current_keyring
from caseapp.security.permissions import Permission, Role
from caseapp.services import access, data_keys
from caseapp.services.case_input import CaseInput, normalise_nik
from caseapp.services.scoping import parse_case_uuid, visible_cases

FIRST_CONTACT_DUE = {
    RiskLevel.HIGH.value: timedelta(hours=24),
    RiskLevel.MEDIUM.value: timedelta(hours=72),
    RiskLevel.LOW.value: timedelta(days=7),
}
# UU SPPA Pasal 19 and UU TPKS: these cases keep the child's identity out of every list by default.
RESTRICTED_VIOLENCE = {"sexual", "trafficking"}
RESTRICTED_AMPK = {
    "in_conflict_with_law",
    "sexual_crime_victim",
    "abduction_trafficking",
    "economic_sexual_exploitation",
    "pornography_victim",
}
NIK_INDEX = "case.child_nik"


def _require(actor: User, permission: Permission) -> None:
    if not actor.can(permission):
        access.record_denial(actor, permission)
        raise PermissionDenied(str(permission))


# Finding and reading --------------------------------------------------------------------------------------


def get_case(actor: User, case_uuid: Any, fresh: bool = False) -> Case:
    """Return a case the actor may see, or raise NotFound (and audit the denial) for anything else.

    `fresh` reloads a case already in the session with what is saved now (after a stale-version refusal).
    """
    uid = parse_case_uuid(case_uuid)
    stmt = visible_cases(actor).where(Case.uuid == uid).execution_options(populate_existing=fresh)
    case = db.session.scalar(stmt) if uid else None
    if case is None:
        access.record_denial(actor, Permission.CASE_READ, object_type="case", object_id=str(case_uuid)[:64])
        raise NotFound()
    return case


def view_case(actor: User, case_uuid: Any) -> Case:
    """Open a case for reading; the view is audited."""
    case = get_case(actor, case_uuid)
    audit.record(AuditAction.CASE_VIEW, actor=actor, object_type="case", object_id=case.uuid)
    return case


def list_label(case: Case) -> str:
    """Return how lists, search results and notifications name the child (initials when restricted)."""
    return case.child_initials if case.is_restricted else str(case.child_name)


def initials(name: str) -> str:
    """Return the initials of a name ("Siti Rahma Dewi" -> "S.R.D.")."""
    letters = [w[0].upper() for w in name.replace(".", " ").split() if w and w[0].isalpha()]
    return "".join(f"{c}." for c in letters[:3]) or "?"


@dataclass(frozen=True)
class CaseFilter:
    """What a case list is narrowed to; every value is a code, an id or a date."""

    status: str = ""
    risk_level: str = ""
    violence_type: str = ""
    kecamatan: str = ""
    case_manager_id: int | None = None
    overdue: bool = False
    quiet: bool = False  # open, and no note in the last 30 days
    registered_from: date | None = None
    registered_to: date | None = None
    sort: str = "newest"

    def shape(self) -> list[str]:
        """Return which filters are set (names only: values stay out of the audit log)."""
        return sorted(k for k, v in self.__dict__.items() if v not in ("", None, False) and k != "sort")


SORTS = {
    "newest": (Case.created_at.desc(), Case.id.desc()),
    "oldest": (Case.created_at.asc(), Case.id.asc()),
    "due": (Case.first_contact_due_at.asc(), Case.id.asc()),
}


def _sort_key(case: Case, sort: str) -> list[str]:
    value = case.first_contact_due_at if sort == "due" else case.created_at
    return [value.isoformat(), str(case.id)]


def filtered_cases(actor: User, f: CaseFilter) -> Any:
    """Return the scoped select for a filter (no order or limit)."""
    stmt = visible_cases(actor)
    if f.status == "open":
        stmt = stmt.where(Case.status.not_in([CaseStatus.CLOSED.value, CaseStatus.CANCELLED.value]))
    elif f.status:
        stmt = stmt.where(Case.status == f.status)
    if f.risk_level:
        stmt = stmt.where(Case.risk_level == f.risk_level)
    if f.violence_type:
        stmt = stmt.where(Case.primary_violence_type == f.violence_type)
    if f.kecamatan:
        stmt = stmt.where(Case.kecamatan == f.kecamatan)
    if f.case_manager_id:
        stmt = stmt.where(Case.case_manager_id == f.case_manager_id)
    if f.overdue:
        stmt = stmt.where(
            Case.first_contact_at.is_(None),
            Case.first_contact_due_at < utcnow(),
            Case.status.not_in([CaseStatus.CLOSED.value, CaseStatus.CANCELLED.value]),
        )
    if f.quiet:
        recent = select(CaseNote.case_id).where(CaseNote.created_at >= utcnow() - timedelta(days=30))
        stmt = stmt.where(
            Case.status.not_in([CaseStatus.CLOSED.value, CaseStatus.CANCELLED.value]), Case.id.not_in(recent)
        )
    if f.registered_from:
        stmt = stmt.where(Case.created_at >= datetime.combine(f.registered_from, datetime.min.time()))
    if f.registered_to:
        stmt = stmt.where(
            Case.created_at < datetime.combine(f.registered_to + timedelta(days=1), datetime.min.time())
        )
    return stmt


def list_cases(
    actor: User, f: CaseFilter, after: list[str] | None = None, limit: int = 50
) -> tuple[list[Case], list[str] | None]:
    """Return one page of visible cases and the cursor of the next page (keyset: fast at any depth)."""
    _require(actor, Permission.CASE_READ)
    sort = f.sort if f.sort in SORTS else "newest"
    first, second = SORTS[sort]
    stmt = filtered_cases(actor, f).options(joinedload(Case.data_key)).order_by(first, second)
    if after and len(after) == 2:
        column = Case.first_contact_due_at if sort == "due" else Case.created_at
        try:
            value, last_id = datetime.fromisoformat(after[0]), int(after[1])
        except ValueError:
            raise ValidationFailed(_("The page link is damaged; start again from the first page.")) from None
        descending = sort == "newest"
        key = tuple_(column, Case.id)
        stmt = stmt.where(key < (value, last_id) if descending else key > (value, last_id))
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    audit.record(
        AuditAction.CASE_LIST,
        actor=actor,
        object_type="case",
        details={"filters": f.shape(), "sort": sort, "count": len(rows), "page": bool(after)},
    )
    return rows, (_sort_key(rows[-1], sort) if more and rows else None)


def count_cases(actor: User, f: CaseFilter) -> int:
    """Return how many visible cases match the filter."""
    return int(db.session.scalar(select(func.count()).select_from(filtered_cases(actor, f).subquery())) or 0)


def search_cases(actor: User, by: str, query: str, limit: int = 50) -> list[Case]:
    """Find visible cases by case number, child name (decrypted within scope) or NIK (blind index)."""
    _require(actor, Permission.CASE_READ)
    query = (query or "").strip()
    if not query:
        raise ValidationFailed(
            _("Enter what to search for."), fields={"query": [_("Enter what to search for.")]}
        )
    scope = visible_cases(actor)
    if by == "number":
        found = list(db.session.scalars(scope.where(Case.case_number == query.upper()).limit(limit)))
    elif by == "nik":
        try:
            nik = normalise_nik(query)
        except ValueError:
            msg = _("A NIK has 16 digits (with a valid date part). Leave it empty if unknown.")
            raise ValidationFailed(msg, fields={"query": [msg]}) from None
        candidates = db.session.scalars(scope.where(Case.child_nik_bidx == nik_index(nik)))
        found = [c for c in candidates if c.child_nik == nik][:limit]
    elif by == "name":
        needle = " ".join(query.lower().split())
        found = []
        stmt = (
            scope.options(joinedload(Case.data_key))
            .order_by(Case.created_at.desc())
            .execution_options(yield_per=500)
        )
        for case in db.session.scalars(stmt):
            if needle in " ".join(str(case.child_name or "").lower().split()):
                found.append(case)
                if len(found) >= limit:
                    break
    else:
        raise ValidationFailed(_("Unknown search kind."), fields={"by": [_("Unknown search kind.")]})
    audit.record(
        AuditAction.CASE_SEARCH, actor=actor, object_type="case", details={"by": by, "count": len(found)}
    )
    return found


# Duplicates ----------------------------------------------------------------------------------------------


def nik_index(nik: str) -> int:
    """Return the blind index of a normalised NIK."""
    ring = current_keyring()
    bits = int(current_app.config.get("BLIND_INDEX_BITS", 16))
    return crypto.blind_index(crypto.index_key(ring.bidx_root, NIK_INDEX), nik, bits)


SAME_CHILD_LIMIT = 20  # the registration form lists at most this many possible matches


@dataclass
class Duplicates:
    """What a registration should know before it goes on."""

    nik_held_by: list[str] = field(default_factory=list)  # agency names only, nothing more
    same_child: list[Case] = field(default_factory=list)  # name + date of birth, within the actor's scope

    def __bool__(self) -> bool:
        return bool(self.nik_held_by or self.same_child)


def find_duplicates(actor: User, value: CaseInput, exclude_id: int | None = None) -> Duplicates:
    """Look for the same child: any case with this NIK (any agency), and same name + birth date in scope."""
    found = Duplicates()
    if value.child.nik:
        stmt = (
            select(Case)
            .where(Case.child_nik_bidx == nik_index(value.child.nik))
            .options(joinedload(Case.data_key), joinedload(Case.owner_agency))
        )
        if exclude_id:
            stmt = stmt.where(Case.id != exclude_id)
        agencies: list[str] = []
        for case in db.session.scalars(stmt):
            try:
                same = case.child_nik == value.child.nik
            except crypto.DecryptionError:
                continue  # a shredded or unreadable case cannot be compared
            if same and case.owner_agency.name not in agencies:
                agencies.append(case.owner_agency.name)
        found.nik_held_by = agencies
        # A look-up by NIK across agencies: audited like a search, whatever the caller does next (a warning
        # page that rolls the request back keeps it too).
        audit.record(
            AuditAction.CASE_SEARCH,
            actor=actor,
            object_type="case",
            details={"by": "nik_duplicate_check", "count": len(agencies)},
            keep_on_rollback=True,
        )
    if value.child.date_of_birth:
        name = " ".join(value.child.name.lower().split())
        dob = value.child.date_of_birth.isoformat()
        # Narrowed in SQL by what is stored in the clear (sex, age, initials), then compared decrypted.
        stmt = (
            visible_cases(actor)
            .where(
                Case.child_sex == value.child.sex,
                Case.child_age == value.child.age,
                Case.child_initials == initials(value.child.name),
            )
            .options(joinedload(Case.data_key))
            .order_by(Case.created_at.desc())
        )
        if exclude_id:
            stmt = stmt.where(Case.id != exclude_id)
        for case in db.session.scalars(stmt.limit(2000)):
            if case.child_dob == dob and " ".join(str(case.child_name).lower().split()) == name:
                found.same_child.append(case)
                if len(found.same_child) >= SAME_CHILD_LIMIT:
                    break
    return found


# Registering and updating --------------------------------------------------------------------------------


def next_case_number(year: int) -> str:
    """Return the next case number of the year (atomic: concurrent registrations never share one)."""
    upsert = (
        upsert_insert(db.session, CaseNumberCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(
            index_elements=[CaseNumberCounter.year], set_={"last": CaseNumberCounter.last + 1}
        )
        .returning(CaseNumberCounter.last)
    )
    number = int(db.session.execute(upsert).scalar_one())
    return f"KDI-{year}-{number:05d}"


def _is_restricted(value: CaseInput) -> bool:
    return bool(
        set(value.incident.violence_types) & RESTRICTED_VIOLENCE or set(value.incident.ampk) & RESTRICTED_AMPK
    )


def _kecamatan_of(kelurahan: str | None) -> str | None:
    if not kelurahan:
        return None
    return db.session.scalar(select(Region.parent_code).where(Region.code == kelurahan))


def _apply(case: Case, value: CaseInput) -> None:
    """Write every field of the input onto the case (encrypting S fields with the case's key)."""
    with db.session.no_autoflush:  # a half-written case must not be flushed by a look-up
        _apply_fields(case, value)


def _apply_fields(case: Case, value: CaseInput) -> None:
    child, incident = value.child, value.incident
    case.child_name = child.name
    case.child_initials = initials(child.name)
    case.child_nik = child.nik
    case.child_nik_bidx = nik_index(child.nik) if child.nik else None
    case.child_dob = child.date_of_birth.isoformat() if child.date_of_birth else None
    case.child_address = child.address or None
    case.child_school = child.school or None
    case.child_sex = child.sex
    case.child_age = child.age
    case.child_age_group = age_group(child.age)
    case.child_age_is_estimate = child.age_is_estimate
    case.child_disability = child.disability
    case.child_kelurahan = child.kelurahan
    case.kecamatan = _kecamatan_of(child.kelurahan)
    case.incident_date = incident.date
    case.incident_date_approximate = incident.date_is_approximate
    case.incident_kelurahan = incident.kelurahan
    case.place = incident.place
    case.primary_violence_type = incident.primary_violence_type
    case.narrative = incident.narrative or None
    case.channel = value.channel
    if case.risk_level != value.risk_level:
        case.risk_level = value.risk_level
        case.first_contact_due_at = (case.created_at or utcnow()) + FIRST_CONTACT_DUE[value.risk_level]
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


def _party_rows(case: Case, value: CaseInput) -> list[CaseParty]:
    rows = []
    for item in value.parties:
        party = CaseParty(case=case, role=item.role)
        party.name = item.name or None
        party.phone = item.phone or None
        party.address = item.address or None
        party.relationship_code = item.relationship
        party.sex = item.sex
        party.age_group = item.age_group
        party.is_child = item.is_child
        rows.append(party)
    return rows


def snapshot(case: Case) -> dict[str, Any]:
    """Return the case's current values by field path (decrypted), to compare and to show."""
    values: dict[str, Any] = {
        "child.name": case.child_name,
        "child.nik": case.child_nik,
        "child.sex": case.child_sex,
        "child.date_of_birth": case.child_dob,
        "child.age": None if case.child_dob else case.child_age,
        "child.disability": case.child_disability,
        "child.address": case.child_address or "",
        "child.kelurahan": case.child_kelurahan,
        "child.school": case.child_school or "",
        "incident.date": case.incident_date.isoformat() if case.incident_date else None,
        "incident.date_is_approximate": case.incident_date_approximate,
        "incident.kelurahan": case.incident_kelurahan,
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
            )
            for p in case.parties
        ],
    }
    return values


def input_snapshot(value: CaseInput) -> dict[str, Any]:
    """Return an input's values in the shape of `snapshot`."""
    child, incident = value.child, value.incident
    return {
        "child.name": child.name,
        "child.nik": child.nik,
        "child.sex": child.sex,
        "child.date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "child.age": None if child.date_of_birth else child.age,
        "child.disability": child.disability,
        "child.address": child.address,
        "child.kelurahan": child.kelurahan,
        "child.school": child.school,
        "incident.date": incident.date.isoformat(),
        "incident.date_is_approximate": incident.date_is_approximate,
        "incident.kelurahan": incident.kelurahan,
        "incident.place": incident.place,
        "incident.violence_types": sorted(incident.violence_types),
        "incident.primary_violence_type": incident.primary_violence_type,
        "incident.ampk": sorted(incident.ampk),
        "incident.narrative": incident.narrative,
        "channel": value.channel,
        "risk_level": value.risk_level,
        "parties": [
            (p.role, p.name, p.phone, p.address, p.relationship, p.sex, p.age_group, p.is_child)
            for p in value.parties
        ],
    }


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
    actor: User, value: CaseInput, idempotency_key: str | None = None, is_demo: bool = False
) -> Registered:
    """Register a case owned by the actor's agency and managed by the actor.

    A repeated submission with the same idempotency key returns the case the first one created.
    """
    _require(actor, Permission.CASE_CREATE)
    key_hash = _idempotency_hash(actor, idempotency_key)
    existing = registered_with(actor, idempotency_key)
    if existing is not None:
        return Registered(existing, created=False)
    duplicates = find_duplicates(actor, value)
    now = utcnow()
    try:
        with db.session.begin_nested():
            case = Case(
                case_number=next_case_number(now.year),
                status=CaseStatus.NEW.value,
                risk_level=value.risk_level,
                confidentiality=(
                    Confidentiality.RESTRICTED if _is_restricted(value) else Confidentiality.NORMAL
                ).value,
                owner_agency_id=actor.agency_id,
                case_manager_id=actor.id,
                created_by_id=actor.id,
                data_key=data_keys.create_data_key(),
                idempotency_hash=key_hash,
                is_demo=is_demo,
                created_at=now,
                updated_at=now,
                first_contact_due_at=now + FIRST_CONTACT_DUE[value.risk_level],
            )
            db.session.add(case)
            _apply(case, value)
            case.parties = _party_rows(case, value)
            db.session.flush()
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
        },
    )
    db.session.flush()
    return Registered(case, created=True, duplicates=duplicates)


def _claim(case: Case, version: int | None) -> None:
    """Take the case for this change if it is still at `version`; raise StaleVersion otherwise.

    A guarded UPDATE, first thing in the transaction: of two writers holding the same version exactly one
    matches the row; the other (on PostgreSQL it waits for the first to commit) matches nothing.
    """
    if version is None or int(version) != case.version:
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


def update_case(actor: User, case: Case, value: CaseInput, version: int | None) -> list[str]:
    """Replace the case's details with the input; return the changed field paths (audited by name only)."""
    _require(actor, Permission.CASE_UPDATE)
    if not case.is_open:
        raise InvalidTransition(_("A closed or cancelled case cannot be edited; reopen it first."))
    if version is None or int(version) != case.version:
        _claim(case, version)  # raises StaleVersion, even when nothing would change
    before = snapshot(case)
    after = input_snapshot(value)
    changed = sorted(k for k in after if before.get(k) != after[k])
    if not changed:
        return []
    _claim(case, version)
    _apply(case, value)
    if "parties" in changed:
        case.parties = _party_rows(case, value)
    if not case.is_restricted and _is_restricted(value):
        case.confidentiality = Confidentiality.RESTRICTED.value  # never loosened silently
    case.updated_at = utcnow()
    db.session.flush()
    audit.record(
        AuditAction.CASE_UPDATE, actor=actor, object_type="case", object_id=case.uuid, changed_fields=changed
    )
    return changed


def differences(case: Case, value: CaseInput) -> dict[str, Any]:
    """Return the current saved values of the fields where the input differs from them."""
    current, mine = snapshot(case), input_snapshot(value)
    changed = {k: current.get(k) for k in mine if current.get(k) != mine[k]}
    if "child.nik" in changed:
        changed["child.nik"] = "••••"  # changed, but shown only through the audited reveal
    return changed


# Lifecycle -----------------------------------------------------------------------------------------------

OPEN_STATES = (CaseStatus.NEW, CaseStatus.ASSESSMENT, CaseStatus.INTERVENTION, CaseStatus.MONITORING)
MOVES = {
    "start_assessment": ((CaseStatus.NEW,), CaseStatus.ASSESSMENT),
    "start_intervention": ((CaseStatus.ASSESSMENT,), CaseStatus.INTERVENTION),
    "start_monitoring": ((CaseStatus.INTERVENTION,), CaseStatus.MONITORING),
    "back_to_intervention": ((CaseStatus.MONITORING,), CaseStatus.INTERVENTION),
}
ACTIONS = (
    *MOVES,
    "record_first_contact",
    "request_closure",
    "approve_closure",
    "return_closure",
    "cancel",
    "reopen",
)


def closure_reasons() -> set[str]:
    """Return the codes a closure may give."""
    stmt = select(ReferenceCode.code).where(ReferenceCode.vocabulary == "closure_reason")
    return set(db.session.scalars(stmt))


def available_actions(actor: User, case: Case) -> list[str]:
    """Return the lifecycle actions the actor may take on the case now (for buttons)."""
    return [a for a in ACTIONS if _refusal(actor, case, a) is None]


SUPERVISOR_ACTIONS = ("approve_closure", "return_closure", "reopen")
REASONED_ACTIONS = ("request_closure", "cancel", "reopen")


def _refusal(actor: User, case: Case, action: str) -> str | None:
    status = CaseStatus(case.status)
    supervisor = actor.can(Permission.CASE_CLOSE_APPROVE)
    pending = case.closure_requested_at is not None
    if action in MOVES:
        sources, _target = MOVES[action]
        return (
            None
            if status in sources and not pending
            else _("This step is not possible from the case's status.")
        )
    if action == "record_first_contact":
        return (
            None
            if case.first_contact_at is None and case.is_open
            else _("The first contact is already recorded.")
        )
    if action == "request_closure":
        ok = status in (CaseStatus.INTERVENTION, CaseStatus.MONITORING) and not pending
        return None if ok else _("Closure can be requested during intervention or monitoring, once.")
    if action in ("approve_closure", "return_closure"):
        if not supervisor:
            return _("Only a supervisor decides on closure.")
        return None if pending and case.is_open else _("No closure request is waiting.")
    if action == "cancel":
        return (
            None
            if status in (CaseStatus.NEW, CaseStatus.ASSESSMENT)
            else _("Only a new case or one in assessment can be cancelled.")
        )
    if action == "reopen":
        if not supervisor:
            return _("Only a supervisor reopens a case.")
        return None if status == CaseStatus.CLOSED else _("Only a closed case can be reopened.")
    return _("Unknown action.")


def transition(
    actor: User,
    case: Case,
    action: str,
    version: int | None,
    reason: str | None = None,
    at: datetime | None = None,
) -> str:
    """Take a lifecycle step; raise InvalidTransition (409) when the case's state does not allow it."""
    _require(actor, Permission.CASE_UPDATE)
    if version is None or int(version) != case.version:
        _claim(case, version)  # a stale step is reported as stale, before anything else
    refusal = _refusal(actor, case, action)
    if refusal:
        if action in SUPERVISOR_ACTIONS and not actor.can(Permission.CASE_CLOSE_APPROVE):
            access.record_denial(
                actor, Permission.CASE_CLOSE_APPROVE, object_type="case", object_id=str(case.uuid)
            )
            raise PermissionDenied(refusal)
        raise InvalidTransition(refusal)
    if reason is not None and not isinstance(reason, str):
        msg = _("Choose a reason from the list.")
        raise ValidationFailed(msg, fields={"reason": [msg]})
    _claim(case, version)
    now = utcnow()
    before = case.status
    event_reason = (
        reason if action in REASONED_ACTIONS else None
    )  # codes only: free text never reaches the log
    if action in MOVES:
        case.status = MOVES[action][1].value
    elif action == "record_first_contact":
        when = at or now
        if when > now or when < case.created_at - timedelta(days=30):
            msg = _("The first contact time must be in the past and near the registration.")
            raise ValidationFailed(msg, fields={"at": [msg]})
        case.first_contact_at = when
    elif action == "request_closure":
        if reason not in closure_reasons():
            msg = _("Choose why the case can be closed.")
            raise ValidationFailed(msg, fields={"reason": [msg]})
        case.closure_requested_at = now
        case.closure_requested_reason = reason
    elif action == "approve_closure":
        case.status = CaseStatus.CLOSED.value
        case.closed_at = now
        case.closure_reason = case.closure_requested_reason
        event_reason = case.closure_reason
        case.closure_requested_at = None
        case.closure_requested_reason = None
    elif action == "return_closure":
        case.closure_requested_at = None
        case.closure_requested_reason = None
    elif action == "cancel":
        if reason not in {r.value for r in CancelReason}:
            msg = _("Choose why the case is cancelled.")
            raise ValidationFailed(msg, fields={"reason": [msg]})
        case.status = CaseStatus.CANCELLED.value
        case.cancel_reason = reason
        case.closed_at = now
    elif action == "reopen":
        if reason not in {r.value for r in ReopenReason}:
            msg = _("Choose why the case is reopened.")
            raise ValidationFailed(msg, fields={"reason": [msg]})
        case.status = CaseStatus.INTERVENTION.value
        case.closed_at = None
        case.closure_reason = None
    case.updated_at = now
    db.session.flush()
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=action,
            from_status=before,
            to_status=case.status,
            reason=event_reason,
            actor_id=actor.id,
            created_at=now,
        )
    )
    audit.record(
        AuditAction.CASE_TRANSITION,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"action": action, "from": before, "to": case.status, "reason": event_reason},
    )
    db.session.flush()
    return case.status


# Assignment ----------------------------------------------------------------------------------------------


def assignable_users(case: Case) -> list[User]:
    """Return the active case workers and supervisors of the case's agency."""
    stmt = (
        select(User)
        .where(
            User.agency_id == case.owner_agency_id,
            User.active.is_(True),
            User.role.in_([Role.CASE_WORKER.value, Role.SUPERVISOR.value]),
        )
        .order_by(User.display_name)
    )
    return list(db.session.scalars(stmt))


def assign(actor: User, case: Case, manager_id: int, team_ids: list[int], version: int | None) -> None:
    """Set the case manager and team (people of the owning agency); others lose access at once."""
    _require(actor, Permission.CASE_ASSIGN)
    if case.owner_agency_id != actor.agency_id:
        access.record_denial(actor, Permission.CASE_ASSIGN, object_type="case", object_id=str(case.uuid))
        raise PermissionDenied(str(Permission.CASE_ASSIGN))
    if version is None or int(version) != case.version:
        _claim(case, version)
    allowed = {u.id: u for u in assignable_users(case)}
    if manager_id not in allowed:
        msg = _("Choose an active worker of the owning agency.")
        raise ValidationFailed(msg, fields={"case_manager": [msg]})
    team = [i for i in dict.fromkeys(team_ids) if i != manager_id]
    if any(i not in allowed for i in team):
        msg = _("Team members must be active workers of the owning agency.")
        raise ValidationFailed(msg, fields={"team": [msg]})
    _claim(case, version)
    old_manager = case.case_manager_id
    case.case_manager_id = manager_id
    case.team = [m for m in case.team if m.user_id in team] + [
        CaseTeamMember(user_id=i) for i in team if i not in {m.user_id for m in case.team}
    ]
    case.updated_at = utcnow()
    db.session.flush()
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind="assignment",
            actor_id=actor.id,
            subject_user_id=manager_id,
            reason=None if old_manager == manager_id else "manager_changed",
        )
    )
    audit.record(
        AuditAction.CASE_ASSIGN,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"case_manager": manager_id, "previous_manager": old_manager, "team": sorted(team)},
    )
    db.session.flush()


# Notes, services, NIK --------------------------------------------------------------------------------------


def add_note(
    actor: User, case: Case, kind: str, body: str, visibility: str = NoteVisibility.CASE_TEAM.value
) -> tuple[CaseNote, str | None]:
    """Add an encrypted note; return it and a warning to show (mediation on a sexual-violence case)."""
    _require(actor, Permission.CASE_UPDATE)
    errors: dict[str, list[str]] = {}
    if kind not in {k.value for k in NoteKind}:
        errors["kind"] = [_("Choose the kind of note.")]
    if visibility not in {v.value for v in NoteVisibility}:
        errors["visibility"] = [_("Choose who may read the note.")]
    body = body.strip() if isinstance(body, str) else ""
    if not body:
        errors["body"] = [_("Write the note.")]
    elif len(body) > 20000:
        errors["body"] = [_("Use at most %(n)d characters.", n=20000)]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    note = CaseNote(case=case, kind=kind, visibility=visibility, author_id=actor.id, created_at=utcnow())
    note.body = body
    db.session.add(note)
    db.session.flush()
    audit.record(
        AuditAction.NOTE_CREATE,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"note": note.id, "kind": kind},
    )
    warning = None
    sexual = "sexual" in {t.code for t in case.violence_types} or "sexual_crime_victim" in {
        a.code for a in case.ampk
    }
    if kind == NoteKind.MEDIATION.value and sexual:
        warning = _(
            "Mediation was recorded on a sexual-violence case. UU TPKS (UU 12/2022, Pasal 23) forbids "
            "settling sexual violence out of court: the case must go on through the criminal process."
        )
    return note, warning


def visible_notes(actor: User, case: Case) -> list[CaseNote]:
    """Return the notes of a visible case, newest first."""
    stmt = (
        select(CaseNote)
        .where(CaseNote.case_id == case.id)
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
    )
    return list(db.session.scalars(stmt))


def add_service(
    actor: User,
    case: Case,
    service_type: str,
    provider_code: str,
    service_date: date | None,
    outcome: str,
    note: str = "",
) -> ServiceRecord:
    """Record a service delivered to the child."""
    _require(actor, Permission.CASE_UPDATE)
    errors: dict[str, list[str]] = {}
    services = set(
        db.session.scalars(select(ReferenceCode.code).where(ReferenceCode.vocabulary == "service"))
    )
    if service_type not in services:
        errors["service_type"] = [_("Choose one of the service kinds.")]
    provider = db.session.scalar(select(Agency).where(Agency.code == provider_code, Agency.active.is_(True)))
    if provider is None:
        errors["provider"] = [_("Choose the agency that provided the service.")]
    if service_date is None:
        errors["service_date"] = [_("Enter a date as YYYY-MM-DD.")]
    elif service_date > utcnow().date():
        errors["service_date"] = [_("The date cannot be in the future.")]
    if outcome not in {o.value for o in ServiceOutcome}:
        errors["outcome"] = [_("Choose the outcome.")]
    if len(note or "") > 5000:
        errors["note"] = [_("Use at most %(n)d characters.", n=5000)]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    assert provider is not None and service_date is not None
    record = ServiceRecord(
        case=case,
        service_type=service_type,
        provider_agency_id=provider.id,
        service_date=service_date,
        outcome=outcome,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    record.note = (note or "").strip() or None
    db.session.add(record)
    db.session.flush()
    audit.record(
        AuditAction.SERVICE_CREATE,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"service": record.id, "service_type": service_type, "provider": provider.code},
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


def timeline(case: Case) -> list[CaseEvent]:
    """Return the case's events, oldest first."""
    return list(
        db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    )


def reveal_nik(actor: User, case: Case) -> str | None:
    """Return the child's NIK in full; every reveal is audited."""
    _require(actor, Permission.CASE_READ)
    audit.record(AuditAction.CASE_NIK_REVEAL, actor=actor, object_type="case", object_id=case.uuid)
    return case.child_nik


def access_log(actor: User, case: Case, limit: int = 200) -> list[Any]:
    """Return who viewed or changed this case, newest first (supervisors of the owning agency)."""
    _require(actor, Permission.CASE_ACCESS_LOG)
    from caseapp.models import AuditEvent

    audit.record(
        AuditAction.AUDIT_VIEW,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"view": "case_access_log"},
    )
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.uuid))
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def overdue_first_contacts(actor: User, limit: int = 20) -> list[Case]:
    """Return visible open cases whose first contact is overdue, most overdue first."""
    f = CaseFilter(overdue=True, sort="due")
    return list(db.session.scalars(filtered_cases(actor, f).order_by(Case.first_contact_due_at).limit(limit)))
