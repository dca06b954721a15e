"""The justice track in the JSON API: a case's legal milestones."""

from __future__ import annotations

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.legal import DiversionIn, DiversionOut, LegalEventIn, LegalEventListOut, LegalEventOut
from caseapp.security.permissions import Permission
from caseapp.services import legal


@bp.route("/cases/<case_id>/legal-events", methods=["POST"])
@require(Permission.LEGAL_EVENT_RECORD, hide=True)
@endpoint(body=LegalEventIn, response=LegalEventOut, status=201, errors=(409,), tag="justice")
def record_legal_event(case_id: str, body: LegalEventIn) -> LegalEventOut:
    """Record a legal milestone (police report, BAP, visum, P21, trial, verdict, restitution ...).

    The case's own workers, or the police, prosecutor and court agencies on a case referred to them (while
    their supervisor or assignee may read it). The milestone is recorded for the caller's agency.
    """
    actor = acting_user()
    return legal.as_out(legal.record_event(actor, legal.open_case(actor, case_id), body))


@bp.route("/cases/<case_id>/legal-events", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=LegalEventListOut, tag="justice")
def list_legal_events(case_id: str) -> LegalEventListOut:
    """List a case's legal milestones in date order, and whether proceedings are open (audited)."""
    actor = acting_user()
    return legal.list_events(actor, legal.open_case(actor, case_id))


@bp.route("/cases/<case_id>/diversions", methods=["POST"])
@require(Permission.LEGAL_EVENT_RECORD, hide=True)
@endpoint(body=DiversionIn, response=DiversionOut, status=201, errors=(409,), tag="justice")
def record_diversion(case_id: str, body: DiversionIn) -> DiversionOut:
    """Record a diversion attempt (UU SPPA) for a child in conflict with the law; 409 for any other child.

    At a stage (investigation, prosecution, court: at most 30 days; settled needs the victim's agreement,
    Pasal 9, and the court's approval), or for a child under 12 the decision of Pasal 21 (stage `under_12`).
    """
    actor = acting_user()
    access = legal.open_case(actor, case_id)
    row = legal.record_diversion(actor, access, body)
    return legal.diversion_out(row, legal.case_events(access.case))
