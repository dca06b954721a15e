"""Referral resources of the JSON API: the same services as the referral pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from caseapp.api.views import bp
from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.extensions import db
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import User
from caseapp.models.referral import Referral
from caseapp.security.permissions import Permission
from caseapp.services import cases, referrals


# Kept here until the referral endpoints declare their schemas (`caseapp.api.cases` no longer has them).
def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), fields={"": [_("Send a JSON object.")]})
    return data


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def referral_json(referral: Referral, with_shared: bool = False) -> dict[str, Any]:
    """Return a referral: its summary, and the shared case sections when the user may read them."""
    body = referrals.summary(referral, utcnow())
    body["sent_at"] = _time(referral.sent_at)
    body["due_at"] = _time(referral.due_at)
    me = acting_user()
    if referrals.is_sender_side(me, referral) or referrals.may_read_shared(me, referral):
        body["response_note"] = referral.response_note  # decline note, completion note or withdrawal reason
    if referrals.is_sender_side(me, referral):
        body["case_id"] = str(referral.case.uuid)
        body["reason"] = referral.reason
        body["consent"] = {
            "given_by": referral.consent_given_by,
            "name": referral.consent_name,
            "obtained_at": referral.consent_obtained_at.isoformat() if referral.consent_obtained_at else None,
            "legal_basis": referral.legal_basis,
        }
    if with_shared and referrals.may_read_shared(me, referral):
        body["reason"] = referral.reason
        body["case"] = referrals.shared_view(me, referral)
    return body


@bp.route("/cases/<case_id>/referrals", methods=["POST"])
@require(Permission.REFERRAL_SEND, hide=True)
def send_referral(case_id: str):  # type: ignore[no-untyped-def]
    """Refer a case: `{"to_agency", "services", "urgency", "reason", "shared_sections", "consent"}`."""
    case = cases.get_case(acting_user(), case_id)
    referral = referrals.send(acting_user(), case, referrals.parse_referral(_body()))
    body = referral_json(referral)
    return jsonify(body), 201


@bp.route("/referrals", methods=["GET"])
@require(Permission.REFERRAL_RESPOND)
def list_referrals():  # type: ignore[no-untyped-def]
    """`?box=incoming|outgoing&status=sent|accepted|...|open|overdue`."""
    rows = referrals.list_referrals(
        acting_user(), request.args.get("box", "incoming"), request.args.get("status", "")
    )
    items = [referral_json(r) for r in rows]
    return jsonify(items=items)


@bp.route("/referrals/<int(max=2147483647):referral_id>", methods=["GET"])
@require(Permission.REFERRAL_RESPOND, hide=True)
def get_referral(referral_id: int):  # type: ignore[no-untyped-def]
    """One referral; the receiving supervisor and assignee also get the shared sections (`case`)."""
    referral = referrals.view_referral(acting_user(), referral_id)
    body = referral_json(referral, with_shared=True)
    return jsonify(body)


def _respond(referral_id: int, step: str) -> Any:
    me = acting_user()
    referral = referrals.get_referral(me, referral_id)
    data = _body() if request.get_data() else {}
    assignee_name = data.get("assignee")
    assignee_id = None
    if assignee_name:
        assignee_id = db.session.scalar(db.select(User.id).where(User.username == str(assignee_name))) or -1
    if step == "accept":
        referrals.accept(me, referral, assignee_id)
    elif step == "assign":
        referrals.assign(me, referral, assignee_id)
    elif step == "decline":
        note = data.get("note")
        referrals.decline(me, referral, str(data.get("reason") or ""), note if isinstance(note, str) else "")
    elif step == "complete":
        referrals.complete(me, referral, str(data.get("outcome") or ""), str(data.get("note") or ""))
    elif step == "withdraw":
        reason = data.get("reason")
        referrals.withdraw(me, referral, reason if isinstance(reason, str) else "")
    body = referral_json(referral)
    return jsonify(body)


@bp.route("/referrals/<int(max=2147483647):referral_id>/accept", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
def accept_referral(referral_id: int):  # type: ignore[no-untyped-def]
    """Accept (`{"assignee": username}` for supervisors; a worker accepts for themselves)."""
    return _respond(referral_id, "accept")


@bp.route("/referrals/<int(max=2147483647):referral_id>/assign", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
def assign_referral(referral_id: int):  # type: ignore[no-untyped-def]
    """Assign to a worker of the receiving agency: `{"assignee": username}`."""
    return _respond(referral_id, "assign")


@bp.route("/referrals/<int(max=2147483647):referral_id>/decline", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
def decline_referral(referral_id: int):  # type: ignore[no-untyped-def]
    """Decline: `{"reason": "not_our_mandate"|"no_capacity"|"insufficient_information"|"other", "note"}`."""
    return _respond(referral_id, "decline")


@bp.route("/referrals/<int(max=2147483647):referral_id>/complete", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
def complete_referral(referral_id: int):  # type: ignore[no-untyped-def]
    """Complete: `{"outcome", "note"}` (records the services on the case)."""
    return _respond(referral_id, "complete")


@bp.route("/referrals/<int(max=2147483647):referral_id>/withdraw", methods=["POST"])
@require(Permission.REFERRAL_SEND, hide=True)
def withdraw_referral(referral_id: int):  # type: ignore[no-untyped-def]
    """Withdraw (the referring side): `{"reason"}`."""
    return _respond(referral_id, "withdraw")
