"""Case resources of the JSON API: the same services as the web pages.

Bodies and queries are parsed by `@endpoint` into the schemas of `caseapp.schemas.cases` (400 with
`fields` by dotted path when they break a rule); answers are shaped by the same module.
"""

from __future__ import annotations

from typing import Any

from flask import request

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.database import utcnow
from caseapp.http.context import acting_user
from caseapp.http.pagination import make_cursor, parse_cursor
from caseapp.http.policy import require
from caseapp.models import Case, User
from caseapp.schemas.cases import (
    AccessEntryOut,
    AccessLogOut,
    AssignIn,
    CaseChangedOut,
    CaseCreatedOut,
    CaseIn,
    CaseListOut,
    CaseListQuery,
    CaseOut,
    CasePatch,
    CaseSummaryOut,
    DuplicateWarnings,
    IncidentLinkIn,
    IncidentLinkOut,
    NikOut,
    NoteCreatedOut,
    NoteIn,
    SearchIn,
    SearchOut,
    ServiceCreatedOut,
    ServiceIn,
    TransitionIn,
)
from caseapp.security.permissions import Permission
from caseapp.services import cases, retention


def _summary_fields(case: Case) -> dict[str, Any]:
    return {
        "id": case.uuid,
        "case_number": case.case_number,
        "child_label": None if case.is_shredded else cases.list_label(case),
        "child_sex": case.child_sex,
        "child_age": case.child_age,
        "primary_violence_type": case.primary_violence_type,
        "kecamatan": case.kecamatan,
        "status": case.status,
        "risk_level": case.risk_level,
        "confidentiality": case.confidentiality,
        "owner_agency": case.owner_agency.code,
        "case_manager": case.case_manager.username,
        "created_at": case.created_at,
        "first_contact_overdue": case.first_contact_overdue(utcnow()),
        "is_demo": case.is_demo,
        "shredded": case.is_shredded,
    }


def _read_fields(case: Case) -> dict[str, Any]:
    """Return the values of the full read shape (the NIK is never in it: reveal it with POST .../nik)."""
    actor = acting_user()
    values = cases.snapshot(case)
    fields: dict[str, Any] = {
        **_summary_fields(case),
        "child": {
            "name": values["child.name"],
            "nik": None,
            "nik_recorded": case.child_nik_ct is not None,
            "sex": values["child.sex"],
            "role": case.child_role,
            "date_of_birth": values["child.date_of_birth"],
            "age": case.child_age,
            "age_is_estimate": case.child_age_is_estimate,
            "disability": values["child.disability"],
            "disability_types": values["child.disability_types"],
            "address": values["child.address"],
            "kelurahan": values["child.kelurahan"],
            "regency": values["child.regency"],
            "school": values["child.school"],
            "education": values["child.education"],
            "school_status": values["child.school_status"],
            "occupation": values["child.occupation"],
            "marital_status": values["child.marital_status"],
        },
        "incident": {
            "date": values["incident.date"],
            "date_is_approximate": values["incident.date_is_approximate"],
            "kelurahan": values["incident.kelurahan"],
            "regency": values["incident.regency"],
            "place": values["incident.place"],
            "violence_types": values["incident.violence_types"],
            "primary_violence_type": values["incident.primary_violence_type"],
            "ampk": values["incident.ampk"],
            "narrative": values["incident.narrative"],
        },
        "parties": [
            {
                "role": p.role,
                "name": p.name or "",
                "phone": p.phone or "",
                "address": p.address or "",
                "relationship": p.relationship_code,
                "sex": p.sex,
                "age_group": p.age_group,
                "is_child": p.is_child,
                "nik": p.nik,
                "education": p.education,
                "occupation": p.occupation,
                "marital_status": p.marital_status,
            }
            for p in case.parties
        ],
        "channel": values["channel"],
        "version": case.version,
        "team": sorted(m.user.username for m in case.team),
        "updated_at": case.updated_at,
        "first_contact_due_at": case.first_contact_due_at,
        "first_contact_at": case.first_contact_at,
        "closed_at": case.closed_at,
        "closure_reason": case.closure_reason,
        "closure_requested_reason": case.closure_requested_reason,
        "closure_explanation": case.closure_explanation or "",
        "closure_override": case.closure_override or "",
        "cancel_reason": case.cancel_reason,
        "cancel_requested_reason": case.cancel_requested_reason,
        "notes": [
            {
                "id": n.id,
                "kind": n.kind,
                "visibility": n.visibility,
                "author": n.author.username,
                "created_at": n.created_at,
                "body": n.body,
            }
            for n in cases.visible_notes(actor, case)
        ],
        "services": [
            {
                "id": s.id,
                "service_type": s.service_type,
                "provider": s.provider_agency.code,
                "date": s.service_date,
                "outcome": s.outcome,
                "note": s.note,
            }
            for s in cases.case_services(case)
        ],
        "timeline": [
            {
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "reason": e.reason,
                "actor": e.actor.username,
                "at": e.created_at,
            }
            for e in cases.timeline(case)
        ],
        "actions": cases.available_actions(actor, case),
        "incident_link": incident_link(actor, case),
        "legal_hold": retention.hold_out(retention.active_hold(case)),
        "shredded_at": case.shredded_at,
    }
    return _without_identity(fields) if case.is_shredded else fields


# What a shredded case's read leaves null: everything sealed (the statistics' codes stay).
_SHREDDED_CHILD = ("name", "date_of_birth", "age", "address", "kelurahan", "school")
_SHREDDED_INCIDENT = ("date", "kelurahan", "narrative")
_SHREDDED_PARTY = ("name", "phone", "address", "nik")


def _without_identity(fields: dict[str, Any]) -> dict[str, Any]:
    """Null every sensitive field of a shredded case's read (they cannot be read: say so, not "")."""
    fields["child"].update(dict.fromkeys(_SHREDDED_CHILD))
    fields["incident"].update(dict.fromkeys(_SHREDDED_INCIDENT))
    for party in fields["parties"]:
        party.update(dict.fromkeys(_SHREDDED_PARTY))
    for note in fields["notes"]:
        note["body"] = None
    for service in fields["services"]:
        service["note"] = None
    fields["closure_explanation"] = fields["closure_override"] = None
    return fields


def incident_link(actor: User, case: Case) -> IncidentLinkOut:
    """Return the case's incident and its other cases the user may see (numbers only)."""
    return IncidentLinkOut(
        id=case.incident.uuid if case.incident else None,
        cases=[c.case_number for c in cases.incident_cases(actor, case)],
    )


def case_summary(case: Case) -> CaseSummaryOut:
    """Return the list shape of a case (identity: initials when restricted)."""
    return CaseSummaryOut.model_validate(_summary_fields(case))


def case_read(case: Case) -> CaseOut:
    """Return the full read shape of a case."""
    return CaseOut.model_validate(_read_fields(case))


@bp.route("/cases", methods=["GET"])
@require(Permission.CASE_READ)
@endpoint(query=CaseListQuery, response=CaseListOut)
def list_cases(query: CaseListQuery) -> CaseListOut:
    """List visible cases (filters as query parameters; `next` continues the list)."""
    actor = acting_user()
    flt = cases.case_filter(query, case_manager=query.case_manager)
    rows, next_after = cases.list_cases(actor, flt, parse_cursor(query.after), query.limit)
    return CaseListOut(items=[case_summary(c) for c in rows], next=make_cursor(next_after))


@bp.route("/cases", methods=["POST"])
@require(Permission.CASE_CREATE)
@endpoint(body=CaseIn, response=CaseCreatedOut, status=201, idempotent=True)
def create_case(body: CaseIn) -> tuple[CaseCreatedOut, int]:
    """Register a case; an `Idempotency-Key` header makes retries safe (the same case comes back, 200)."""
    result = cases.register_case(acting_user(), body, request.headers.get("Idempotency-Key"))
    warnings = DuplicateWarnings(
        nik_exists_at=result.duplicates.nik_held_by,
        possible_same_child=[c.uuid for c in result.duplicates.same_child],
    )
    answer = CaseCreatedOut.model_validate({**_read_fields(result.case), "warnings": warnings})
    return answer, 201 if result.created else 200


@bp.route("/cases/<case_id>", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=CaseOut)
def get_case(case_id: str) -> CaseOut:
    """Return one case (the view is audited)."""
    return case_read(cases.view_case(acting_user(), case_id))


@bp.route("/cases/<case_id>", methods=["PATCH"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=CasePatch, response=CaseChangedOut, errors=(409,))
def patch_case(case_id: str, body: CasePatch) -> CaseChangedOut:
    """Change a case: send `version` and the fields to change; a stale version answers 409.

    The change is applied onto the case's current values, and the result must pass every rule of a new
    case. A closed or cancelled case cannot be changed (409).
    """
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    changed = cases.patch_case(actor, case, body)
    return CaseChangedOut.model_validate({**_read_fields(case), "changed": changed})


@bp.route("/cases/<case_id>/incident", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=IncidentLinkIn, response=IncidentLinkOut, errors=(409,))
def link_incident(case_id: str, body: IncidentLinkIn) -> IncidentLinkOut:
    """Link the case to the incident of another case you can see (one incident, several children).

    400 `no such case` (field `incident_of`) for a number outside your cases, as for one that does not
    exist; 409 when both cases already belong to different incidents or the case is closed. Perpetrators of
    the same name on the incident's cases are then counted once.
    """
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    cases.link_incident(actor, case, body.incident_of)
    return incident_link(actor, case)


@bp.route("/cases/<case_id>/transition", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=TransitionIn, response=CaseOut, errors=(409,))
def transition_case(case_id: str, body: TransitionIn) -> CaseOut:
    """Take a lifecycle step (`actions` in a case's read lists those the user may take now).

    409 when the version is stale or the case's state does not allow the step; 403 when the role does
    not (approving or returning a closure request and reopening are a supervisor's).
    """
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    cases.transition(actor, case, body)
    return case_read(case)


@bp.route("/cases/<case_id>/assign", methods=["POST"])
@require(Permission.CASE_ASSIGN, hide=True)
@endpoint(body=AssignIn, response=CaseOut, errors=(409,))
def assign_case(case_id: str, body: AssignIn) -> CaseOut:
    """Set the case manager and team by username (supervisors of the owning agency)."""
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    cases.assign(actor, case, body)
    return case_read(case)


@bp.route("/cases/<case_id>/notes", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=NoteIn, response=NoteCreatedOut, status=201)
def add_note(case_id: str, body: NoteIn) -> NoteCreatedOut:
    """Add a note; `warning` says what to tell the user (mediation on a sexual-violence case)."""
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    note, warning = cases.add_note(actor, case, body)
    return NoteCreatedOut(id=note.id, kind=body.kind, visibility=body.visibility, warning=warning)


@bp.route("/cases/<case_id>/services", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=ServiceIn, response=ServiceCreatedOut, status=201)
def add_service(case_id: str, body: ServiceIn) -> ServiceCreatedOut:
    """Record a service delivered to the child."""
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    record = cases.add_service(actor, case, body)
    return ServiceCreatedOut(id=record.id, service_type=record.service_type, date=record.service_date)


@bp.route("/cases/<case_id>/nik", methods=["POST"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=NikOut)
def reveal_nik(case_id: str) -> NikOut:
    """Return the child's NIK (the reveal is audited)."""
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    return NikOut(nik=cases.reveal_nik(actor, case))


@bp.route("/cases/search", methods=["POST"])
@require(Permission.CASE_READ)
@endpoint(body=SearchIn, response=SearchOut)
def search_cases(body: SearchIn) -> SearchOut:
    """Search visible cases by case number, child's name or NIK (in the body, never a URL)."""
    found = cases.search_cases(acting_user(), body)
    return SearchOut(items=[case_summary(c) for c in found.cases], too_many=found.too_many)


@bp.route("/cases/<case_id>/access-log", methods=["GET"])
@require(Permission.CASE_ACCESS_LOG, hide=True)
@endpoint(response=AccessLogOut)
def case_access_log(case_id: str) -> AccessLogOut:
    """Who viewed or changed the case (supervisors of the owning agency)."""
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    events = cases.access_log(actor, case)
    return AccessLogOut(
        items=[
            AccessEntryOut(
                seq=e.seq,
                at=e.occurred_at,
                user=e.actor_username,
                agency=e.actor_agency,
                action=e.action,
                outcome=e.outcome,
            )
            for e in events
        ]
    )
