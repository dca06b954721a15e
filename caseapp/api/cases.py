"""Case resources of the JSON API (DESIGN.md section 10): the same services as the web pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from caseapp.api.views import bp
from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.extensions import db
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import Case, User
from caseapp.security.permissions import Permission
from caseapp.services import cases
from caseapp.services.case_input import parse_case


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), fields={"": [_("Send a JSON object.")]})
    return data


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _version(data: dict[str, Any]) -> int:
    value = data.get("version")
    if not isinstance(value, int) or isinstance(value, bool):
        msg = _("Send the version of the case you are changing (an integer).")
        raise ValidationFailed(msg, fields={"version": [msg]})
    return value


def case_summary(case: Case) -> dict[str, Any]:
    """Return the list shape of a case (identity: initials when restricted)."""
    return {
        "id": str(case.uuid),
        "case_number": case.case_number,
        "child_label": cases.list_label(case),
        "child_sex": case.child_sex,
        "child_age": case.child_age,
        "primary_violence_type": case.primary_violence_type,
        "kecamatan": case.kecamatan,
        "status": case.status,
        "risk_level": case.risk_level,
        "confidentiality": case.confidentiality,
        "owner_agency": case.owner_agency.code,
        "case_manager": case.case_manager.username,
        "created_at": _time(case.created_at),
        "first_contact_overdue": case.first_contact_overdue(utcnow()),
        "is_demo": case.is_demo,
    }


def case_body(case: Case) -> dict[str, Any]:
    """Return the case in the create shape (the NIK is never in it: reveal it with POST .../nik)."""
    values = cases.snapshot(case)
    return {
        "child": {
            "name": values["child.name"],
            "nik": None,
            "nik_recorded": case.child_nik_ct is not None,
            "sex": values["child.sex"],
            "date_of_birth": values["child.date_of_birth"],
            "age": case.child_age,
            "age_is_estimate": case.child_age_is_estimate,
            "disability": values["child.disability"],
            "address": values["child.address"],
            "kelurahan": values["child.kelurahan"],
            "school": values["child.school"],
        },
        "incident": {
            "date": values["incident.date"],
            "date_is_approximate": values["incident.date_is_approximate"],
            "kelurahan": values["incident.kelurahan"],
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
            }
            for p in case.parties
        ],
        "channel": values["channel"],
        "risk_level": values["risk_level"],
    }


def case_read(case: Case) -> dict[str, Any]:
    """Return the full read shape of a case."""
    return {
        **case_summary(case),
        **case_body(case),
        "version": case.version,
        "team": sorted(m.user.username for m in case.team),
        "updated_at": _time(case.updated_at),
        "first_contact_due_at": _time(case.first_contact_due_at),
        "first_contact_at": _time(case.first_contact_at),
        "closed_at": _time(case.closed_at),
        "closure_reason": case.closure_reason,
        "closure_requested_reason": case.closure_requested_reason,
        "cancel_reason": case.cancel_reason,
        "notes": [
            {
                "id": n.id,
                "kind": n.kind,
                "visibility": n.visibility,
                "author": n.author.username,
                "created_at": _time(n.created_at),
                "body": n.body,
            }
            for n in cases.visible_notes(acting_user(), case)
        ],
        "services": [
            {
                "id": s.id,
                "service_type": s.service_type,
                "provider": s.provider_agency.code,
                "date": s.service_date.isoformat(),
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
                "at": _time(e.created_at),
            }
            for e in cases.timeline(case)
        ],
        "actions": cases.available_actions(acting_user(), case),
    }


def _filter_from_args() -> cases.CaseFilter:
    args = request.args
    errors: dict[str, list[str]] = {}

    def day(name: str) -> date | None:
        value = args.get(name)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors[name] = [_("Enter a date as YYYY-MM-DD.")]
            return None

    manager_id = None
    if args.get("case_manager"):
        manager_id = db.session.scalar(db.select(User.id).where(User.username == args["case_manager"]))
        if manager_id is None:
            errors["case_manager"] = [_("Unknown user.")]
    sort = args.get("sort", "newest")
    if sort not in cases.SORTS:
        errors["sort"] = [_("Unknown value %(v)s.", v=sort[:20])]
    flt = cases.CaseFilter(
        status=args.get("status", ""),
        risk_level=args.get("risk_level", ""),
        violence_type=args.get("violence_type", ""),
        kecamatan=args.get("kecamatan", ""),
        case_manager_id=manager_id,
        overdue=args.get("overdue") in ("1", "true"),
        registered_from=day("registered_from"),
        registered_to=day("registered_to"),
        sort=sort,
    )
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return flt


@bp.route("/cases", methods=["GET"])
@require(Permission.CASE_READ)
def list_cases():  # type: ignore[no-untyped-def]
    """List visible cases (filters as query parameters; `next` continues the list)."""
    flt = _filter_from_args()
    after = request.args.get("after", "").split("~") if request.args.get("after") else None
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), 200)
    rows, next_after = cases.list_cases(acting_user(), flt, after, limit)
    items = [case_summary(c) for c in rows]
    return jsonify(items=items, next="~".join(next_after) if next_after else None)


@bp.route("/cases", methods=["POST"])
@require(Permission.CASE_CREATE)
def create_case():  # type: ignore[no-untyped-def]
    """Register a case; an `Idempotency-Key` header makes retries safe (the same case comes back)."""
    value = parse_case(_body())
    result = cases.register_case(acting_user(), value, request.headers.get("Idempotency-Key"))
    body = case_read(result.case)
    body["warnings"] = {
        "nik_exists_at": result.duplicates.nik_held_by,
        "possible_same_child": [str(c.uuid) for c in result.duplicates.same_child],
    }
    return jsonify(body), 201 if result.created else 200


@bp.route("/cases/<case_id>", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
def get_case(case_id: str):  # type: ignore[no-untyped-def]
    """Return one case (the view is audited)."""
    case = cases.view_case(acting_user(), case_id)
    body = case_read(case)
    return jsonify(body)


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in patch.items():
        if key in ("child", "incident") and isinstance(value, dict):
            merged[key] = {**base.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


@bp.route("/cases/<case_id>", methods=["PATCH"])
@require(Permission.CASE_UPDATE, hide=True)
def patch_case(case_id: str):  # type: ignore[no-untyped-def]
    """Change a case: send `version` and the fields to change; a stale version answers 409."""
    case = cases.get_case(acting_user(), case_id)
    data = _body()
    current = case_body(case)
    current["child"]["nik"] = case.child_nik  # keep the stored NIK unless the patch names one
    merged = _merge(current, {k: v for k, v in data.items() if k != "version"})
    changed = cases.update_case(acting_user(), case, parse_case(merged), _version(data))
    body = case_read(case)
    body["changed"] = changed
    return jsonify(body)


@bp.route("/cases/<case_id>/transition", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def transition_case(case_id: str):  # type: ignore[no-untyped-def]
    """Take a lifecycle step: `{"action", "reason", "at", "version"}`."""
    case = cases.get_case(acting_user(), case_id)
    data = _body()
    at = None
    if data.get("at"):
        try:
            at = datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00"))
            if at.tzinfo is not None:  # stored as naive UTC
                at = at.astimezone(UTC).replace(tzinfo=None)
        except ValueError:
            raise ValidationFailed(
                _("Enter a time as ISO 8601."), fields={"at": [_("Enter a time as ISO 8601.")]}
            ) from None
    cases.transition(acting_user(), case, str(data.get("action", "")), _version(data), data.get("reason"), at)
    body = case_read(case)
    return jsonify(body)


@bp.route("/cases/<case_id>/assign", methods=["POST"])
@require(Permission.CASE_ASSIGN, hide=True)
def assign_case(case_id: str):  # type: ignore[no-untyped-def]
    """Set the case manager and team by username: `{"case_manager", "team": [...], "version"}`."""
    case = cases.get_case(acting_user(), case_id)
    data = _body()
    team_names = data.get("team") or []
    if not isinstance(team_names, list):
        msg = _("Send the team as a list of usernames.")
        raise ValidationFailed(msg, fields={"team": [msg]})
    data["team"] = team_names
    names = [data.get("case_manager"), *team_names]
    ids = {
        u.username: u.id
        for u in db.session.scalars(db.select(User).where(User.username.in_([str(n) for n in names])))
    }
    manager = ids.get(str(data.get("case_manager")), -1)
    team = [ids.get(str(n), -1) for n in data.get("team") or []]
    cases.assign(acting_user(), case, manager, team, _version(data))
    body = case_read(case)
    return jsonify(body)


@bp.route("/cases/<case_id>/notes", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def add_note(case_id: str):  # type: ignore[no-untyped-def]
    """Add a note: `{"kind", "body", "visibility"}`."""
    case = cases.get_case(acting_user(), case_id)
    data = _body()
    note, warning = cases.add_note(
        acting_user(),
        case,
        str(data.get("kind", "")),
        data["body"] if isinstance(data.get("body"), str) else "",
        str(data.get("visibility") or "case_team"),
    )
    return jsonify(id=note.id, kind=note.kind, visibility=note.visibility, warning=warning), 201


@bp.route("/cases/<case_id>/services", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def add_service(case_id: str):  # type: ignore[no-untyped-def]
    """Record a service: `{"service_type", "provider", "date", "outcome", "note"}`."""
    case = cases.get_case(acting_user(), case_id)
    data = _body()
    try:
        when = date.fromisoformat(str(data.get("date"))) if data.get("date") else None
    except ValueError:
        when = None
    record = cases.add_service(
        acting_user(),
        case,
        str(data.get("service_type", "")),
        str(data.get("provider", "")),
        when,
        str(data.get("outcome", "")),
        str(data.get("note") or ""),
    )
    return jsonify(id=record.id, service_type=record.service_type, date=record.service_date.isoformat()), 201


@bp.route("/cases/<case_id>/nik", methods=["POST"])
@require(Permission.CASE_READ, hide=True)
def reveal_nik(case_id: str):  # type: ignore[no-untyped-def]
    """Return the child's NIK (the reveal is audited)."""
    case = cases.get_case(acting_user(), case_id)
    nik = cases.reveal_nik(acting_user(), case)
    return jsonify(nik=nik)


@bp.route("/cases/search", methods=["POST"])
@require(Permission.CASE_READ)
def search_cases():  # type: ignore[no-untyped-def]
    """Search visible cases: `{"by": "number"|"name"|"nik", "query"}` (in the body, never a URL)."""
    data = _body()
    rows = cases.search_cases(acting_user(), str(data.get("by", "")), str(data.get("query", "")))
    items = [case_summary(c) for c in rows]
    return jsonify(items=items)


@bp.route("/cases/<case_id>/access-log", methods=["GET"])
@require(Permission.CASE_ACCESS_LOG, hide=True)
def case_access_log(case_id: str):  # type: ignore[no-untyped-def]
    """Who viewed or changed the case (supervisors of the owning agency)."""
    case = cases.get_case(acting_user(), case_id)
    events = cases.access_log(acting_user(), case)
    return jsonify(
        items=[
            {
                "seq": e.seq,
                "at": _time(e.occurred_at),
                "user": e.actor_username,
                "agency": e.actor_agency,
                "action": e.action,
                "outcome": e.outcome,
            }
            for e in events
        ]
    )
