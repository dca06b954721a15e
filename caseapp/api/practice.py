"""The practice around a case in the JSON API: assessments (the case page shows the same)."""

from __future__ import annotations

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.practice import AssessmentIn, AssessmentListOut, AssessmentOut
from caseapp.security.permissions import Permission
from caseapp.services import assessments, cases


@bp.route("/cases/<case_id>/assessments", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=AssessmentIn, response=AssessmentOut, status=201, errors=(409,))
def add_assessment(case_id: str, body: AssessmentIn) -> AssessmentOut:
    """Assess the child's safety, needs and risk (a new one revises the case's); 409 on a closed case."""
    me = acting_user()
    return assessments.as_output(assessments.add_assessment(me, cases.get_case(me, case_id), body))


@bp.route("/cases/<case_id>/assessments", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=AssessmentListOut)
def list_assessments(case_id: str) -> AssessmentListOut:
    """A case's assessments, newest (the current one) first; the read is audited."""
    me = acting_user()
    rows = assessments.list_assessments(me, cases.get_case(me, case_id))
    return AssessmentListOut(items=[assessments.as_output(r) for r in rows])


@bp.route("/assessments/<assessment_id>/review", methods=["POST"])
@require(Permission.CASE_REVIEW, hide=True)
@endpoint(response=AssessmentOut, errors=(409,))
def review_assessment(assessment_id: str) -> AssessmentOut:
    """Mark an assessment reviewed (a supervisor of the owning agency; once, else 409)."""
    me = acting_user()
    return assessments.as_output(assessments.review(me, assessments.get_assessment(me, assessment_id)))
