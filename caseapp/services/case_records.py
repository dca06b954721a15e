"""Records kept on a case and named by their own id (assessments, care plans, shelter stays): the case's
list of them, newest first, and one of them found in the actor's scope (and, under a URL that names its
case too, of that case)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Mapped

from caseapp.extensions import db
from caseapp.models import Case, User
from caseapp.security.permissions import Permission
from caseapp.services.cases.rules import read_section
from caseapp.services.scoping import find_in_scope, of_visible_case


class CaseRecord(Protocol):
    """A model of a record of a case, with its own public id."""

    id: Mapped[int]
    uuid: Mapped[uuid.UUID]
    case_id: Mapped[int]


class DatedCaseRecord(CaseRecord, Protocol):
    """A record of a case that a newer one revises or supersedes: the newest counts."""

    created_at: Mapped[datetime]


Record = TypeVar("Record", bound=CaseRecord)
Dated = TypeVar("Dated", bound=DatedCaseRecord)


def newest_first(model: type[Dated], case: Case) -> list[Dated]:
    """Return a case's records of one kind, newest first (the first is the case's current one)."""
    stmt = select(model).where(model.case_id == case.id).order_by(model.created_at.desc(), model.id.desc())
    return list(db.session.scalars(stmt))


def read_newest_first(actor: User, case: Case, model: type[Dated], section: str) -> list[Dated]:
    """Return a case's records of one kind for the actor to read, newest first (the read of the case's
    section is checked and audited)."""
    read_section(actor, case, section)
    return newest_first(model, case)


def get_record(
    actor: User,
    model: type[Record],
    record_id: Any,
    object_type: str,
    *,
    case: Case | None = None,
    permission: Permission = Permission.CASE_READ,
) -> Record:
    """Return a record of a case the actor may see, or raise NotFound (the attempt audited under
    `permission`). With `case` (a URL naming the case and the record), a record of another case is refused
    the same way, even one the actor may see."""

    def find(uid: uuid.UUID) -> Record | None:
        stmt = select(model).where(model.uuid == uid, of_visible_case(actor, model.case_id))
        if case is not None:
            stmt = stmt.where(model.case_id == case.id)
        return db.session.scalar(stmt)

    return find_in_scope(actor, record_id, find, object_type=object_type, permission=permission)
