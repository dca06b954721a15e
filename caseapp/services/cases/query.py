"""Finding and reading cases: one case, lists with filters and keyset pages, search, the audited reads.

Every read starts from `visible_cases(actor)`; a case outside it is NotFound (and the denial is audited).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, false, func, select, tuple_
from sqlalchemy.orm import joinedload

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.cache import cached
from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.extensions import db
from caseapp.models import AuditEvent, Case, CaseEvent, CaseNote, User
from caseapp.models.case import CaseStatus
from caseapp.schemas.cases import CaseFilters, CaseSort, SearchIn, SearchKind
from caseapp.security.permissions import Permission
from caseapp.services.cases import names
from caseapp.services.cases.duplicates import nik_index
from caseapp.services.cases.rules import CaseStep, check, require
from caseapp.services.scoping import find_in_scope, visible_cases

CLOSED_STATES = (CaseStatus.CLOSED.value, CaseStatus.CANCELLED.value)
QUIET_DAYS = 30  # "quiet": open, and no note for this long


def _comparable(text: str) -> bool:
    """Say whether text can be compared in SQL: no case number, username or code holds a NUL character,
    which PostgreSQL refuses in any text it is given (such input simply matches nothing)."""
    return "\x00" not in text


def get_case(actor: User, case_uuid: Any, fresh: bool = False, with_codes: bool = False) -> Case:
    """Return a case the actor may see, or raise NotFound (and audit the denial) for anything else.

    `fresh` reloads a case already in the session with what is saved now (after a stale-version refusal).
    `with_codes` loads its forms of violence and AMPK codes in the same statement (the overview shows both:
    two statements less; a few short rows each, so joining them multiplies little).
    """

    def find(uid: uuid.UUID) -> Case | None:
        stmt = (
            visible_cases(actor)
            .where(Case.uuid == uid)
            # every case page decrypts: one statement, not two; the manager is named, their agency not read
            .options(joinedload(Case.data_key), joinedload(Case.case_manager).lazyload(User.agency))
            .execution_options(populate_existing=fresh)
        )
        if with_codes:
            stmt = stmt.options(joinedload(Case.violence_types), joinedload(Case.ampk))
        return db.session.scalars(stmt).unique().first()

    return find_in_scope(actor, case_uuid, find, object_type="case")


def view_case(
    actor: User, case_uuid: Any, beside_a_refusal: bool = False, section: str | None = None
) -> Case:
    """Open a case for reading; the view is audited.

    `beside_a_refusal`: the case page answers a refused form (its request rolls back); the view is kept
    on record all the same, since the page was shown. `section`: the page shows one section of the case
    (its name goes into the entry's details); None for the case's overview.
    """
    case = get_case(actor, case_uuid, with_codes=section is None)
    audit.record(
        AuditAction.CASE_VIEW,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"section": section} if section else None,
        keep_on_rollback=beside_a_refusal,
    )
    return case


def list_label(case: Case) -> str:
    """Return how lists, search results and notifications name the child (initials when restricted).

    Both are sealed under the case's key: a list loads each case with its data key (one statement), and
    the key is unwrapped once per case and request (`DataKey.plaintext` caches it on the row). A case whose
    identity retention removed has neither: it says so.
    """
    if case.is_shredded:
        return _("identity removed (retention)")
    return str(case.child_initials) if case.is_restricted else str(case.child_name)


@dataclass(frozen=True)
class CaseFilter:
    """What a case list is narrowed to; every value is a code, an id or a date (empty: not narrowed)."""

    status: str = ""  # a status, or "open"
    risk_level: str = ""
    violence_type: str = ""
    kecamatan: str = ""
    case_manager_id: int | None = None
    case_manager: str = ""  # a username (the API's filter): an unknown one matches no case
    overdue: bool = False
    quiet: bool = False  # open, and no note in the last 30 days
    registered_from: date | None = None
    registered_to: date | None = None
    sort: str = CaseSort.NEWEST.value

    def shape(self) -> list[str]:
        """Return which filters are set (names only: values stay out of the audit log)."""
        return sorted(k for k, v in self.__dict__.items() if v not in ("", None, False) and k != "sort")


def case_filter(
    query: CaseFilters, case_manager_id: int | None = None, case_manager: str | None = None
) -> CaseFilter:
    """Return the filter a validated query asks for (a case manager by id, or by username)."""
    return CaseFilter(
        status=query.status or "",
        risk_level=query.risk_level or "",
        violence_type=query.violence_type or "",
        kecamatan=query.kecamatan or "",
        case_manager_id=case_manager_id,
        case_manager=case_manager or "",
        overdue=query.overdue,
        quiet=query.quiet,
        registered_from=query.registered_from,
        registered_to=query.registered_to,
        sort=query.sort,
    )


# Keyed by `CaseSort` (whose members are their strings: SORTS["newest"] works too).
SORTS: dict[str, tuple[Any, Any]] = {
    CaseSort.NEWEST: (Case.created_at.desc(), Case.id.desc()),
    CaseSort.OLDEST: (Case.created_at.asc(), Case.id.asc()),
    CaseSort.DUE: (Case.first_contact_due_at.asc(), Case.id.asc()),
}


def _sort_key(case: Case, sort: str) -> list[str]:
    value = case.first_contact_due_at if sort == CaseSort.DUE else case.created_at
    return [value.isoformat(), str(case.id)]


def filtered_cases(actor: User, f: CaseFilter) -> Select[Any]:
    """Return the scoped select for a filter (no order or limit)."""
    stmt = visible_cases(actor)
    if f.status == "open":
        stmt = stmt.where(Case.status.not_in(CLOSED_STATES))
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
    if f.case_manager:
        # By username, in the same query: a name no one has matches no case, exactly like a colleague
        # whose cases the actor cannot see (a list never tells whether a username exists).
        if _comparable(f.case_manager):
            manager = select(User.id).where(User.username == f.case_manager).scalar_subquery()
            stmt = stmt.where(Case.case_manager_id == manager)
        else:
            stmt = stmt.where(false())
    if f.overdue:
        stmt = stmt.where(
            Case.first_contact_at.is_(None),
            Case.first_contact_due_at < utcnow(),
            Case.status.not_in(CLOSED_STATES),
        )
    if f.quiet:
        recent = select(CaseNote.case_id).where(CaseNote.created_at >= utcnow() - timedelta(days=QUIET_DAYS))
        stmt = stmt.where(Case.status.not_in(CLOSED_STATES), Case.id.not_in(recent))
    if f.registered_from:
        stmt = stmt.where(Case.created_at >= datetime.combine(f.registered_from, datetime.min.time()))
    if f.registered_to and f.registered_to < date.max:  # up to the last day of the calendar: no bound
        stmt = stmt.where(
            Case.created_at < datetime.combine(f.registered_to + timedelta(days=1), datetime.min.time())
        )
    return stmt


def list_cases(
    actor: User, f: CaseFilter, after: list[str] | None = None, limit: int = 50
) -> tuple[list[Case], list[str] | None]:
    """Return one page of visible cases and the cursor of the next page (keyset: fast at any depth)."""
    require(actor, Permission.CASE_READ)
    sort = CaseSort(f.sort) if f.sort in SORTS else CaseSort.NEWEST
    first, second = SORTS[sort]
    stmt = filtered_cases(actor, f).options(joinedload(Case.data_key)).order_by(first, second)
    if after and len(after) == 2:
        column = Case.first_contact_due_at if sort == CaseSort.DUE else Case.created_at
        try:
            value, last_id = datetime.fromisoformat(after[0]), int(after[1])
            if not 0 < last_id < 2**31:
                raise ValueError(after[1])
        except ValueError:
            raise ValidationFailed(_("The page link is damaged; start again from the first page.")) from None
        key = tuple_(column, Case.id)
        stmt = stmt.where(key < (value, last_id) if sort == CaseSort.NEWEST else key > (value, last_id))
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    audit.record(
        AuditAction.CASE_LIST,
        actor=actor,
        object_type="case",
        details={"filters": f.shape(), "sort": sort.value, "count": len(rows), "page": bool(after)},
    )
    return rows, (_sort_key(rows[-1], sort) if more and rows else None)


def count_cases(actor: User, f: CaseFilter) -> int:
    """Return how many visible cases match the filter."""
    return int(db.session.scalar(select(func.count()).select_from(filtered_cases(actor, f).subquery())) or 0)


def manager_choices(actor: User) -> list[tuple[str, str]]:
    """Return the case managers (id, name) the actor's case list can be narrowed to.

    Whoever sees all of the agency's cases chooses among its active people; anyone else among the managers
    of the cases they see (not every colleague: a large agency has hundreds).
    The list is kept per user and process for `CASE_MANAGER_CHOICES_SECONDS` (a minute: the filter's options
    are asked on every page of the list; a new colleague or case shows up in it within the minute).
    """

    def build() -> list[tuple[str, str]]:
        stmt = select(User.id, User.display_name).where(
            User.agency_id == actor.agency_id, User.active.is_(True)
        )
        if not actor.can(Permission.CASE_READ_AGENCY):
            managers = visible_cases(actor).with_only_columns(Case.case_manager_id).distinct()
            stmt = stmt.where(User.id.in_(managers))
        return [(str(uid), name) for uid, name in db.session.execute(stmt.order_by(User.display_name))]

    seconds = float(current_app.config.get("CASE_MANAGER_CHOICES_SECONDS", 0))
    # Whoever sees the whole agency sees the same options: one entry per agency, not a copy per supervisor.
    everyone = actor.can(Permission.CASE_READ_AGENCY)
    key = (actor.agency_id, "agency") if everyone else (actor.agency_id, "user", actor.id, actor.role)
    return cached("case_managers", key, build, seconds)


@dataclass
class SearchResult:
    """What a search found, newest first; `too_many`: more cases may match than it lists (a common name:
    the user should type more of it)."""

    cases: list[Case]
    too_many: bool = False


def search_cases(actor: User, search: SearchIn, limit: int = 50) -> SearchResult:
    """Find visible cases by case number, child name or NIK (both through blind indexes)."""
    require(actor, Permission.CASE_READ)
    scope = visible_cases(actor)
    query = search.query
    too_many = False
    if search.by is SearchKind.NUMBER:
        number = (
            scope.where(Case.case_number == query.upper()) if _comparable(query) else scope.where(false())
        )
        found = list(db.session.scalars(number.limit(limit)))
    elif search.by is SearchKind.NIK:  # the schema normalised it to its 16 digits
        candidates = db.session.scalars(scope.where(Case.child_nik_bidx == nik_index(query)))
        found = [c for c in candidates if c.child_nik == query][:limit]
    else:  # by name: the blind index narrows, decryption confirms (services/cases/names.py)
        matches = names.search(scope, query, limit)
        found, too_many = matches.cases, matches.too_many
    audit.record(
        AuditAction.CASE_SEARCH,
        actor=actor,
        object_type="case",
        details={"by": search.by.value, "count": len(found)},
    )
    return SearchResult(found, too_many)


def overdue_first_contacts(actor: User, limit: int = 20) -> list[Case]:
    """Return visible open cases whose first contact is overdue, most overdue first."""
    f = CaseFilter(overdue=True, sort=CaseSort.DUE.value)
    stmt = filtered_cases(actor, f).options(joinedload(Case.data_key))  # each line decrypts the child's label
    return list(db.session.scalars(stmt.order_by(Case.first_contact_due_at).limit(limit)))


def timeline(case: Case) -> list[CaseEvent]:
    """Return the case's events, oldest first, each with its actor and subject (their agencies are not
    joined: the timeline names people)."""
    stmt = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.id)
        .options(
            joinedload(CaseEvent.actor).lazyload(User.agency),
            joinedload(CaseEvent.subject_user).lazyload(User.agency),
        )
    )
    return list(db.session.scalars(stmt))


def reveal_nik(actor: User, case: Case) -> str | None:
    """Return the child's NIK in full; every reveal is audited."""
    require(actor, Permission.CASE_READ)
    audit.record(AuditAction.CASE_NIK_REVEAL, actor=actor, object_type="case", object_id=case.uuid)
    nik: str | None = case.child_nik
    return nik


def access_log(actor: User, case: Case, limit: int = 200) -> list[AuditEvent]:
    """Return who viewed or changed this case, newest first (supervisors of the owning agency)."""
    check(actor, case, CaseStep.ACCESS_LOG)
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
