"""Intake and protection in the JSON API: complaints and their triage, outreach visits, shelter stays."""

from __future__ import annotations

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.intake import (
    ComplaintIn,
    ComplaintListOut,
    ComplaintListQuery,
    ComplaintOut,
    DischargeIn,
    OutreachIn,
    OutreachListOut,
    OutreachOut,
    ShelterStayIn,
    ShelterStayListOut,
    ShelterStayOut,
    TriageIn,
)
from caseapp.security.permissions import Permission
from caseapp.services import cases, complaints, outreach, shelter


@bp.route("/complaints", methods=["POST"])
@require(Permission.COMPLAINT_HANDLE)
@endpoint(body=ComplaintIn, response=ComplaintOut, status=201)
def create_complaint(body: ComplaintIn) -> ComplaintOut:
    """Record a complaint received by your agency; it waits for triage (and appears in the work queue)."""
    return complaints.as_output(complaints.record_complaint(acting_user(), body))


@bp.route("/complaints", methods=["GET"])
@require(Permission.COMPLAINT_HANDLE)
@endpoint(query=ComplaintListQuery, response=ComplaintListOut)
def list_complaints(query: ComplaintListQuery) -> ComplaintListOut:
    """Your agency's complaints, waiting for triage first (codes and times only); the list is audited."""
    rows = complaints.list_complaints(acting_user(), untriaged_only=query.untriaged)
    return ComplaintListOut(items=[complaints.summary_output(r) for r in rows])


@bp.route("/complaints/<complaint_id>", methods=["GET"])
@require(Permission.COMPLAINT_HANDLE, hide=True)
@endpoint(response=ComplaintOut)
def get_complaint(complaint_id: str) -> ComplaintOut:
    """A complaint with what was reported and its outreach visits; the read is audited."""
    return complaints.as_output(complaints.view_complaint(acting_user(), complaint_id))


@bp.route("/complaints/<complaint_id>/triage", methods=["POST"])
@require(Permission.COMPLAINT_HANDLE, hide=True)
@endpoint(body=TriageIn, response=ComplaintOut, errors=(409,))
def triage_complaint(complaint_id: str, body: TriageIn) -> ComplaintOut:
    """Triage a complaint, once (409 after): accepted (the case registered from it), referred elsewhere,
    or not a case."""
    me = acting_user()
    return complaints.as_output(complaints.triage(me, complaints.get_complaint(me, complaint_id), body))


@bp.route("/complaints/<complaint_id>/outreach-visits", methods=["POST"])
@require(Permission.COMPLAINT_HANDLE, hide=True)
@endpoint(body=OutreachIn, response=OutreachOut, status=201)
def add_complaint_outreach(complaint_id: str, body: OutreachIn) -> OutreachOut:
    """Record an outreach visit (penjangkauan) on a complaint."""
    me = acting_user()
    row = outreach.record_on_complaint(me, complaints.get_complaint(me, complaint_id), body)
    return complaints.outreach_output(row)


@bp.route("/cases/<case_id>/outreach-visits", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=OutreachIn, response=OutreachOut, status=201, errors=(409,))
def add_case_outreach(case_id: str, body: OutreachIn) -> OutreachOut:
    """Record an outreach visit (penjangkauan) on a case; 409 on a closed case."""
    me = acting_user()
    return complaints.outreach_output(outreach.record_on_case(me, cases.get_case(me, case_id), body))


@bp.route("/cases/<case_id>/shelter-stays", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=ShelterStayIn, response=ShelterStayOut, status=201, errors=(409,))
def admit_to_shelter(case_id: str, body: ShelterStayIn) -> ShelterStayOut:
    """Record the child's admission to a shelter (rumah aman); 409 while a stay is open or the case closed."""
    me = acting_user()
    return shelter.as_output(shelter.admit(me, cases.get_case(me, case_id), body))


@bp.route("/shelter-stays/<stay_id>/discharge", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=DischargeIn, response=ShelterStayOut, errors=(409,))
def discharge_from_shelter(stay_id: str, body: DischargeIn) -> ShelterStayOut:
    """Record the end of a shelter stay (once; 409 after)."""
    me = acting_user()
    return shelter.as_output(
        shelter.discharge(me, shelter.get_stay(me, stay_id, permission=Permission.CASE_UPDATE), body)
    )


@bp.route("/cases/<case_id>/outreach-visits", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=OutreachListOut)
def list_case_outreach(case_id: str) -> OutreachListOut:
    """A case's outreach visits, newest first; the read is audited."""
    me = acting_user()
    rows = outreach.list_case_outreach(me, cases.get_case(me, case_id))
    return OutreachListOut(items=[complaints.outreach_output(r) for r in rows])


@bp.route("/cases/<case_id>/shelter-stays", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=ShelterStayListOut)
def list_shelter_stays(case_id: str) -> ShelterStayListOut:
    """A case's shelter stays, the open one first; the read is audited."""
    me = acting_user()
    rows = shelter.list_stays(me, cases.get_case(me, case_id))
    return ShelterStayListOut(items=[shelter.as_output(r) for r in rows])
