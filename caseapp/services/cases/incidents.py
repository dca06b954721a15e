"""One incident, several children: each child keeps their own case (and data key), and the cases share an
`Incident` row so that reports count incidents, victims and perpetrators apart.

A case joins an incident at registration (`incident_of`: the number of another case the user can see), when
the incident's date, kelurahan, place and alleged perpetrators are copied from that case (the perpetrators
re-encrypted under the new case's key, each copy sharing an `incident_person` with its original so that it
is counted once), or later (`link_incident`), when perpetrators of the same name are matched instead.
A case number outside the user's scope answers exactly as one that does not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Case, CaseParty, Incident, User
from caseapp.models.case import PartyRole
from caseapp.schemas.base import parse_data
from caseapp.schemas.cases import CaseIn
from caseapp.services.cases.rules import CaseStep, check, shredded_refusal
from caseapp.services.scoping import visible_cases

PERPETRATOR = PartyRole.PERPETRATOR.value


def _no_such_case() -> ValidationFailed:
    message = _("No such case.")
    return ValidationFailed(message, fields={"incident_of": [message]})


def incident_case(actor: User, case_number: str) -> Case:
    """Return the case of this number in the user's scope, or refuse (400) as if it did not exist."""
    case = db.session.scalar(visible_cases(actor).where(Case.case_number == case_number.strip().upper()))
    if case is None:
        raise _no_such_case()
    if case.is_shredded:  # its child is nobody now: no new link to an identified child
        message = shredded_refusal()
        raise InvalidTransition(message, fields={"incident_of": [message]})
    return case


def with_incident_of(source: Case, value: CaseIn) -> CaseIn:
    """Return the input with the incident's date, kelurahan and place taken from the source case (checked
    again: the child's age is the age at the incident's date)."""
    data: dict[str, Any] = value.model_dump(mode="json")
    incident = data["incident"]
    # Read through the model's attributes (the columns may become encrypted: issue 15).
    if source.incident_date is not None:
        incident["date"] = source.incident_date.isoformat()
        incident["date_is_approximate"] = source.incident_date_approximate
    incident["kelurahan"] = source.incident_kelurahan
    incident["regency"] = source.incident_regency
    incident["place"] = source.place
    if data["child"].get("date_of_birth"):
        data["child"]["age"] = None
    return parse_data(CaseIn, data, strict=False)


def _person_key(party: CaseParty) -> tuple[Any, ...] | None:
    """What makes two perpetrator rows of one incident the same person when matched: the same name."""
    name = " ".join((party.name or "").casefold().split())
    return (name,) if name else None


def _share(original: CaseParty) -> uuid.UUID:
    if original.incident_person is None:
        original.incident_person = uuid.uuid4()
    return original.incident_person


def copy_perpetrators(source: Case, case: Case) -> int:
    """Copy the source case's alleged perpetrators onto the case (one sent with the same name is taken as
    the same person); return how many were copied."""
    copied = 0
    for original in [p for p in source.parties if p.role == PERPETRATOR]:
        key = _person_key(original)
        same = next(
            (
                p
                for p in case.parties
                if p.role == PERPETRATOR and p.incident_person is None and key and _person_key(p) == key
            ),
            None,
        )
        if same is not None:
            same.incident_person = _share(original)
            continue
        party = CaseParty(role=PERPETRATOR, incident_person=_share(original))
        case.parties.append(party)  # first: the key to encrypt with is the case's
        party.name = original.name
        party.phone = original.phone
        party.address = original.address
        party.relationship_code = original.relationship_code
        party.sex = original.sex
        party.age_group = original.age_group
        party.is_child = original.is_child
        party.nik = original.nik
        party.education = original.education
        party.occupation = original.occupation
        party.marital_status = original.marital_status
        copied += 1
    return copied


def _match_perpetrators(actor: User, case: Case) -> int:
    """Share `incident_person` between the case's perpetrators and those of the same name on the incident's
    other cases in the user's scope; return how many were matched."""
    others = db.session.scalars(
        visible_cases(actor).where(Case.incident_id == case.incident_id, Case.id != case.id).order_by(Case.id)
    )
    known: dict[tuple[Any, ...], CaseParty] = {}
    for other in others:
        for party in other.parties:
            key = _person_key(party)
            if party.role == PERPETRATOR and key is not None:
                known.setdefault(key, party)
    matched = 0
    for party in case.parties:
        key = _person_key(party)
        if party.role != PERPETRATOR or key is None or key not in known:
            continue
        shared = _share(known[key])
        if party.incident_person != shared:
            party.incident_person = shared
            matched += 1
    return matched


def join_at_registration(actor: User, case: Case, source: Case) -> Incident:
    """Put a case just registered into the source case's incident, with its perpetrators (audited on the
    source case too: it gained a sibling)."""
    incident = source.incident or Incident(created_at=utcnow())
    source.incident = incident
    case.incident = incident
    copied = copy_perpetrators(source, case)
    db.session.flush()
    audit.record(
        AuditAction.CASE_INCIDENT_LINK,
        actor=actor,
        object_type="case",
        object_id=source.uuid,
        details={"incident": str(incident.uuid), "case": str(case.uuid), "at_registration": True},
    )
    audit.record(
        AuditAction.CASE_INCIDENT_LINK,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={
            "incident": str(incident.uuid),
            "case": str(source.uuid),
            "at_registration": True,
            "perpetrators_copied": copied,
        },
    )
    return incident


def link_incident(actor: User, case: Case, case_number: str) -> Incident:
    """Link a registered case to the incident of another case the user can see (audited on both).

    A case already in another incident is refused (409): incidents are not merged silently.
    """
    check(actor, case, CaseStep.EDIT)
    source = incident_case(actor, case_number)
    if source.id == case.id:
        message = _("Choose another case of the same incident.")
        raise ValidationFailed(message, fields={"incident_of": [message]})
    if case.incident_id is not None and case.incident_id == source.incident_id:
        return source.incident  # type: ignore[return-value]  # linked already: nothing changes
    if case.incident_id is not None and source.incident_id is not None:
        message = _("Both cases are already part of different incidents.")
        raise InvalidTransition(message, fields={"incident_of": [message]})
    incident = case.incident or source.incident or Incident(created_at=utcnow())
    case.incident = incident
    source.incident = incident
    case.updated_at = utcnow()
    db.session.flush()
    matched = _match_perpetrators(actor, case)
    for subject, other in ((case, source), (source, case)):
        audit.record(
            AuditAction.CASE_INCIDENT_LINK,
            actor=actor,
            object_type="case",
            object_id=subject.uuid,
            details={
                "incident": str(incident.uuid),
                "case": str(other.uuid),
                "at_registration": False,
                "perpetrators_matched": matched,
            },
        )
    db.session.flush()
    return incident


def incident_cases(actor: User, case: Case) -> list[Case]:
    """Return the incident's other cases that the user may see (their numbers are all a page shows)."""
    if case.incident_id is None:
        return []
    stmt = (
        visible_cases(actor)
        .where(Case.incident_id == case.incident_id, Case.id != case.id)
        .order_by(Case.case_number)
    )
    return list(db.session.scalars(stmt))


def shared_people(case: Case) -> dict[tuple[Any, ...], uuid.UUID]:
    """Return the shared identities of the case's parties by what an edit keeps (to carry them over)."""
    out: dict[tuple[Any, ...], uuid.UUID] = {}
    for party in case.parties:
        if party.incident_person is not None:
            out.setdefault(_party_signature(party), party.incident_person)
    return out


def _party_signature(party: CaseParty) -> tuple[Any, ...]:
    name = " ".join((party.name or "").casefold().split())
    return (party.role, name, party.relationship_code, party.sex, party.age_group)


def keep_shared_people(case: Case, shared: dict[tuple[Any, ...], uuid.UUID]) -> None:
    """Give the rewritten parties of an edit back the shared identities of the same people."""
    for party in case.parties:
        person = shared.pop(_party_signature(party), None)
        if person is not None:
            party.incident_person = person
