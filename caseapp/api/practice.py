"""The practice around a case in the JSON API: assessments, care plans, case conferences and their tasks (the
case page shows the same)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import Case, User
from caseapp.schemas.practice import (
    AssessmentIn,
    AssessmentListOut,
    AssessmentOut,
    CarePlanIn,
    CarePlanListOut,
    CarePlanOut,
    ConferenceIn,
    ConferenceListOut,
    ConferenceOut,
    ReturnIn,
    TaskCompleteIn,
    TaskOut,
)
from caseapp.security.permissions import Permission
from caseapp.services import assessments, care_plans, cases, conferences

In = TypeVar("In")
Row = TypeVar("Row")
Out = TypeVar("Out")


def _add(case_id: str, add: Callable[[User, Case, In], Row], body: In, out: Callable[[Row], Out]) -> Out:
    """Record something on a case the acting user may see (404 otherwise) and answer it."""
    me = acting_user()
    return out(add(me, cases.get_case(me, case_id), body))


def _listed(case_id: str, rows: Callable[[User, Case], list[Row]], out: Callable[[Row], Out]) -> list[Out]:
    """Answer the records of a case the acting user may see (404 otherwise) that the service lists."""
    me = acting_user()
    return [out(row) for row in rows(me, cases.get_case(me, case_id))]


@bp.route("/cases/<case_id>/assessments", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=AssessmentIn, response=AssessmentOut, status=201, errors=(409,))
def add_assessment(case_id: str, body: AssessmentIn) -> AssessmentOut:
    """Assess the child's safety, needs and risk (a new one revises the case's); 409 on a closed case."""
    return _add(case_id, assessments.add_assessment, body, assessments.as_output)


@bp.route("/cases/<case_id>/assessments", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=AssessmentListOut)
def list_assessments(case_id: str) -> AssessmentListOut:
    """A case's assessments, newest (the current one) first; the read is audited."""
    return AssessmentListOut(items=_listed(case_id, assessments.list_assessments, assessments.as_output))


@bp.route("/assessments/<assessment_id>/review", methods=["POST"])
@require(Permission.CASE_REVIEW, hide=True)
@endpoint(response=AssessmentOut, errors=(409,))
def review_assessment(assessment_id: str) -> AssessmentOut:
    """Mark an assessment reviewed (a supervisor of the owning agency; once, else 409)."""
    me = acting_user()
    return assessments.as_output(
        assessments.review(
            me, assessments.get_assessment(me, assessment_id, permission=Permission.CASE_REVIEW)
        )
    )


@bp.route("/cases/<case_id>/care-plans", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=CarePlanIn, response=CarePlanOut, status=201, errors=(409,))
def add_care_plan(case_id: str, body: CarePlanIn) -> CarePlanOut:
    """Record a care plan (it supersedes the case's plan and waits for a supervisor); 409 on a closed case."""
    return _add(case_id, care_plans.add_plan, body, care_plans.as_output)


@bp.route("/cases/<case_id>/care-plans", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=CarePlanListOut)
def list_care_plans(case_id: str) -> CarePlanListOut:
    """A case's care plans, newest (the case's plan) first; the read is audited."""
    return CarePlanListOut(items=_listed(case_id, care_plans.list_plans, care_plans.as_output))


@bp.route("/care-plans/<plan_id>/approve", methods=["POST"])
@require(Permission.CASE_REVIEW, hide=True)
@endpoint(response=CarePlanOut, errors=(409,))
def approve_care_plan(plan_id: str) -> CarePlanOut:
    """Approve a waiting care plan (a supervisor of the owning agency; a case worker gets 403)."""
    me = acting_user()
    return care_plans.as_output(
        care_plans.approve(me, care_plans.get_plan(me, plan_id, permission=Permission.CASE_REVIEW))
    )


@bp.route("/care-plans/<plan_id>/return", methods=["POST"])
@require(Permission.CASE_REVIEW, hide=True)
@endpoint(body=ReturnIn, response=CarePlanOut, errors=(409,))
def return_care_plan(plan_id: str, body: ReturnIn) -> CarePlanOut:
    """Return a waiting care plan with a comment saying what to change."""
    me = acting_user()
    return care_plans.as_output(
        care_plans.return_plan(me, care_plans.get_plan(me, plan_id, permission=Permission.CASE_REVIEW), body)
    )


@bp.route("/cases/<case_id>/conferences", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=ConferenceIn, response=ConferenceOut, status=201, errors=(409,))
def add_conference(case_id: str, body: ConferenceIn) -> ConferenceOut:
    """Record a case conference with its follow-up tasks; 409 on a closed case.

    A task's owner is an active worker of the owning agency, or of an agency with an open referral on the
    case (400 naming `tasks.N.owner` otherwise).
    """
    return _add(case_id, conferences.add_conference, body, conferences.as_output)


@bp.route("/cases/<case_id>/conferences", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=ConferenceListOut)
def list_conferences(case_id: str) -> ConferenceListOut:
    """A case's conferences with their tasks, newest first; the read is audited."""
    return ConferenceListOut(items=_listed(case_id, conferences.list_conferences, conferences.as_output))


@bp.route("/tasks/<task_id>/complete", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(body=TaskCompleteIn, response=TaskOut, errors=(409,))
def complete_task(task_id: str, body: TaskCompleteIn) -> TaskOut:
    """Mark a follow-up task done (its owner, or a supervisor of the owning agency: others 403); 409 when it
    is done already or its case is closed."""
    me = acting_user()
    return conferences.task_output(conferences.complete(me, conferences.get_task(me, task_id), body))
