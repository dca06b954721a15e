"""Shelter stays (rumah aman / penampungan sementara) of a case's child: admission and discharge.

A stay is open until its discharge; a case has at most one open stay (a move to another shelter is a
discharge, `transferred`, and a new admission). The shelter is an agency's (plaintext code) or a place
named in words (encrypted: where a child is sheltered is what a perpetrator looks for). Stays are shown on
the case page only and counted in no published figure. Discharge is a guarded update: of two discharges
at the same moment exactly one wins, the other gets 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Agency, Case, ShelterStay, User
from caseapp.schemas.intake import DischargeIn, ShelterStayIn, ShelterStayOut
from caseapp.security.permissions import Permission
from caseapp.services.case_records import get_record
from caseapp.services.cases.rules import CaseStep, check, read_section


def admit(actor: User, case: Case, value: ShelterStayIn) -> ShelterStay:
    """Record the child's admission to a shelter (an open case the actor works on, no stay open)."""
    check(actor, case, CaseStep.NOTE)
    if not case.is_open:
        raise InvalidTransition(_("A closed or cancelled case cannot be changed; reopen it first."))
    agency = None
    if value.shelter_agency:
        agency = db.session.scalar(
            select(Agency).where(Agency.code == value.shelter_agency, Agency.active.is_(True))
        )
        if agency is None:
            msg = _("Choose an agency from the list.")
            raise ValidationFailed(msg, fields={"shelter_agency": [msg]})
    still_open = db.session.scalar(
        select(ShelterStay.id).where(ShelterStay.case_id == case.id, ShelterStay.discharged_on.is_(None))
    )
    if still_open is not None:
        raise InvalidTransition(_("The child is still in a shelter: record the discharge first."))
    row = ShelterStay(
        uuid=uuid.uuid4(),
        case=case,
        shelter_agency_id=agency.id if agency else None,
        admitted_on=value.admitted_on,
        recorded_by_id=actor.id,
        created_at=utcnow(),
    )
    row.shelter_place = value.shelter_place or None
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.SHELTER_ADMIT,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"shelter_stay": str(row.uuid), "agency": agency.code if agency else None},
    )
    return row


def get_stay(
    actor: User, stay_id: Any, *, case: Case | None = None, permission: Permission = Permission.CASE_READ
) -> ShelterStay:
    """Return a shelter stay of a case the actor may see, or raise NotFound (audited).
    With `case` (a URL naming both): one of that case, else NotFound, audited under `permission`."""
    return get_record(actor, ShelterStay, stay_id, "shelter_stay", case=case, permission=permission)


def discharge(actor: User, stay: ShelterStay, value: DischargeIn) -> ShelterStay:
    """Record the end of an open stay: when and why (once)."""
    check(actor, stay.case, CaseStep.NOTE)
    if stay.discharged_on is not None:
        raise InvalidTransition(_("This stay has already ended."))
    if value.discharged_on < stay.admitted_on:
        msg = _("The discharge cannot come before the admission.")
        raise ValidationFailed(msg, fields={"discharged_on": [msg]})
    done = db.session.execute(
        update(ShelterStay)
        .where(ShelterStay.id == stay.id, ShelterStay.discharged_on.is_(None))
        .values(
            discharged_on=value.discharged_on, discharge_reason=value.reason.value, discharged_by_id=actor.id
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(_("This stay has already ended."))
    db.session.expire(stay, ["discharged_on", "discharge_reason", "discharged_by_id"])
    audit.record(
        AuditAction.SHELTER_DISCHARGE,
        actor=actor,
        object_type="case",
        object_id=stay.case.uuid,
        details={"shelter_stay": str(stay.uuid), "reason": value.reason.value},
    )
    return stay


def list_stays(actor: User, case: Case) -> list[ShelterStay]:
    """Return a case's shelter stays for the actor to read (the read is audited)."""
    read_section(actor, case, "shelter")
    return case_stays(case)


def case_stays(case: Case) -> list[ShelterStay]:
    """Return a case's shelter stays, the open one and then the newest first (one statement)."""
    stmt = (
        select(ShelterStay)
        .where(ShelterStay.case_id == case.id)
        .order_by(
            ShelterStay.discharged_on.is_not(None), ShelterStay.admitted_on.desc(), ShelterStay.id.desc()
        )
    )
    return list(db.session.scalars(stmt))


def as_output(row: ShelterStay) -> ShelterStayOut:
    """Return a shelter stay in the API's shape."""
    return ShelterStayOut.model_validate(
        {
            "id": row.uuid,
            "shelter_agency": row.shelter_agency.code if row.shelter_agency else None,
            "shelter_place": row.shelter_place or "",
            "admitted_on": row.admitted_on,
            "discharged_on": row.discharged_on,
            "discharge_reason": row.discharge_reason,
            "open": row.is_open,
        }
    )
