"""The scoping functions: every read of case data starts from `visible_cases(user)`, every read of a
complaint from `visible_complaints(user)`; a record named by its id is found in that scope or refused the
same way everywhere (`find_in_scope`)."""

from __future__ import annotations

import uuid as uuid_mod
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select, union
from sqlalchemy.orm import InstrumentedAttribute

from caseapp.errors import NotFound
from caseapp.models import Case, CaseTeamMember, Complaint, User
from caseapp.security.permissions import Permission
from caseapp.services.access import record_denial

Found = TypeVar("Found")


def visible_cases(user: User) -> Select[Any]:
    """Return a select of the cases this user may open (deny by default).

    Whoever may read every case of their agency (`case:read:agency`: supervisors) sees all the cases it
    owns; anyone else who reads cases (`case:read`: case workers) the cases they manage or are on the team
    of. Analysts, auditors and administrators read none: their roles grant neither.
    """
    stmt = select(Case)
    if not user.active or not user.can(Permission.CASE_READ):
        return stmt.where(false())
    if user.can(Permission.CASE_READ_AGENCY):
        return stmt.where(Case.owner_agency_id == user.agency_id)
    # The ids of their cases, as one set: managed or on the team. (Written as `manager = me OR id IN
    # team`, the database cannot use the case-manager index and walks the whole agency's cases, newest
    # first, to find a worker's old ones: 0.5 s for a deep page at a million cases.)
    theirs = union(
        select(Case.id).where(Case.case_manager_id == user.id),
        select(CaseTeamMember.case_id).where(CaseTeamMember.user_id == user.id),
    )
    # Within their own agency only: a worker moved to another agency leaves its cases behind.
    return stmt.where(Case.owner_agency_id == user.agency_id, Case.id.in_(theirs))


def visible_complaints(user: User) -> Select[Any]:
    """Return a select of the complaints this user may open (deny by default).

    A complaint is not a case yet: it has no case manager or team, and whoever takes complaints at the
    receiving agency must be able to triage any of them. So the scope is the agency: its workers and
    supervisors (`complaint:handle`) see every complaint it received, and nobody else sees any (another
    agency's complaint answers 404). A complaint referred elsewhere stays with the agency that received
    it; the other agency learns of it by its own channels, not by reading this record. The case a
    complaint became is scoped by `visible_cases` like any other.
    """
    stmt = select(Complaint)
    if not user.active or not user.can(Permission.COMPLAINT_HANDLE):
        return stmt.where(false())
    return stmt.where(Complaint.agency_id == user.agency_id)


def of_visible_case(user: User, case_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """Return the condition that a record's case (its `case_id` column) is one the user may open."""
    return case_id.in_(visible_cases(user).with_only_columns(Case.id))


def parse_case_uuid(value: Any) -> uuid_mod.UUID | None:
    """Return the UUID in a URL segment, or None when it is not one."""
    try:
        return uuid_mod.UUID(str(value))
    except ValueError:
        return None


def find_in_scope(
    user: User,
    record_id: Any,
    find: Callable[[Any], Found | None],
    *,
    object_type: str,
    permission: Permission = Permission.CASE_READ,
    key: Callable[[Any], object | None] = parse_case_uuid,
) -> Found:
    """Return what `find` finds in the user's scope for the id named in a URL, or raise NotFound.

    Deny by default: an id that is not one (`key` reads it: a UUID unless said), a record that does not
    exist and one outside the scope all answer the same 404, so whether a record exists does not leak; each
    refused attempt is audited (`authz.deny` under `permission`, in a transaction of its own that outlives
    the request's rollback) with the id as asked for: at most 64 characters, never a NUL (the audit log
    keeps text).
    """
    parsed = key(record_id)
    found = find(parsed) if parsed is not None else None
    if found is None:
        shown = str(record_id)[:64].replace("\x00", "\ufffd")
        record_denial(user, permission, object_type=object_type, object_id=shown)
        raise NotFound()
    return found
