"""Care plans (rencana intervensi): the worker plans, a supervisor of the owning agency approves or returns.

A new plan supersedes the case's plan and waits for approval; while the newest plan is not approved the
case cannot be closed (`cases.open_work`). An approved plan whose review date has passed is overdue (the
work queue reminds the supervisor and the case manager). Goals, the safety plan and a return's comment are
encrypted; notifications and the audit log carry codes only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from caseapp import audit, localtime
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, PermissionDenied
from caseapp.extensions import db
from caseapp.models import Agency, CarePlan, CarePlanGoal, Case, User
from caseapp.models.practice import CarePlanStatus
from caseapp.models.referral import NotificationKind
from caseapp.schemas.practice import CarePlanIn, CarePlanOut, ReturnIn
from caseapp.security.permissions import Permission
from caseapp.services import access, notify, users
from caseapp.services.case_records import get_record, newest_first, read_newest_first
from caseapp.services.cases.lifecycle import OPEN_STATES
from caseapp.services.cases.rules import require, shredded_refusal


def add_plan(actor: User, case: Case, value: CarePlanIn) -> CarePlan:
    """Record a care plan for an open case; it waits for a supervisor's approval (who is notified)."""
    require(actor, Permission.CASE_UPDATE)
    if not case.is_open:
        raise InvalidTransition(_("A closed or cancelled case cannot be changed; reopen it first."))
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    plan = CarePlan(case=case, review_date=value.review_date, author_id=actor.id, created_at=utcnow())
    plan.safety_plan = value.safety_plan or None
    for position, goal in enumerate(value.goals):
        row = CarePlanGoal(
            position=position,
            services=",".join(goal.services),
            agency=agencies[goal.agency],
            due_date=goal.due_date,
        )
        plan.goals.append(row)
        db.session.add(plan)
        row.goal = goal.goal
    db.session.add(plan)
    db.session.flush()
    audit.record(
        AuditAction.CARE_PLAN_CREATE,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"care_plan": str(plan.uuid), "goals": len(plan.goals), "review_date": str(plan.review_date)},
    )
    supervisors = users.active_users_with(case.owner_agency_id, Permission.CASE_REVIEW)
    notify.notify_case(
        [u for u in supervisors if u.id != actor.id], NotificationKind.CARE_PLAN_SUBMITTED, case
    )
    return plan


def case_plans(case: Case) -> list[CarePlan]:
    """Return a case's care plans, newest first."""
    return newest_first(CarePlan, case)


def list_plans(actor: User, case: Case) -> list[CarePlan]:
    """Return a case's care plans for the actor to read (the read is audited)."""
    return read_newest_first(actor, case, CarePlan, "care_plans")


def unapproved(case: Case) -> CarePlan | None:
    """Return the case's newest plan if it is not approved (it keeps the case from being closed)."""
    plans = case_plans(case)
    if plans and plans[0].status != CarePlanStatus.APPROVED.value:
        return plans[0]
    return None


def get_plan(
    actor: User, plan_id: Any, *, case: Case | None = None, permission: Permission = Permission.CASE_READ
) -> CarePlan:
    """Return a care plan of a case the actor may see, or raise NotFound (audited).
    With `case` (a URL naming both): one of that case, else NotFound, audited under `permission`."""
    return get_record(actor, CarePlan, plan_id, "care_plan", case=case, permission=permission)


def _decide(actor: User, plan: CarePlan, status: CarePlanStatus, comment: str | None) -> CarePlan:
    if not actor.can(Permission.CASE_REVIEW) or plan.case.owner_agency_id != actor.agency_id:
        access.record_denial(actor, Permission.CASE_REVIEW, object_type="care_plan", object_id=str(plan.uuid))
        raise PermissionDenied(str(Permission.CASE_REVIEW))
    if plan.case.is_shredded:
        raise InvalidTransition(shredded_refusal())
    if plan.status != CarePlanStatus.PENDING.value:
        raise InvalidTransition(_("Only a care plan waiting for approval can be approved or returned."))
    if plan is not case_plans(plan.case)[0]:
        raise InvalidTransition(_("A newer care plan replaced this one."))
    plan.status = status.value
    plan.decided_by = actor
    plan.decided_at = utcnow()
    plan.comment = comment
    db.session.flush()
    action = (
        AuditAction.CARE_PLAN_APPROVE if status is CarePlanStatus.APPROVED else AuditAction.CARE_PLAN_RETURN
    )
    audit.record(
        action,
        actor=actor,
        object_type="case",
        object_id=plan.case.uuid,
        details={"care_plan": str(plan.uuid)},
    )
    kind = (
        NotificationKind.CARE_PLAN_APPROVED
        if status is CarePlanStatus.APPROVED
        else NotificationKind.CARE_PLAN_RETURNED
    )
    told = [u for u in (plan.author, plan.case.case_manager) if u.id != actor.id]
    notify.notify_case(told, kind, plan.case)
    return plan


def approve(actor: User, plan: CarePlan) -> CarePlan:
    """Approve a waiting care plan (a supervisor of the owning agency; a case worker is refused, 403)."""
    return _decide(actor, plan, CarePlanStatus.APPROVED, None)


def return_plan(actor: User, plan: CarePlan, value: ReturnIn) -> CarePlan:
    """Return a waiting care plan with what to change."""
    return _decide(actor, plan, CarePlanStatus.RETURNED, value.comment)


def remind_overdue_reviews(limit: int | None = None) -> int:
    """Remind the case manager and the owning agency's supervisors of each open case whose approved care
    plan (the newest) is past its review date, once a day per plan; return how many plans.

    `limit`: at most this many (the job commits batch by batch); the plans are claimed as the referral
    reminders' rows are, so workers running the job at once share it."""
    today = localtime.today()
    newest = (
        select(CarePlan.case_id, func.max(CarePlan.id).label("plan_id")).group_by(CarePlan.case_id).subquery()
    )
    stmt = (
        select(CarePlan)
        .join(newest, newest.c.plan_id == CarePlan.id)
        .join(Case, Case.id == CarePlan.case_id)
        .where(
            CarePlan.status == CarePlanStatus.APPROVED.value,
            CarePlan.review_date < today,
            Case.status.in_([s.value for s in OPEN_STATES]),
            or_(CarePlan.review_reminded_on.is_(None), CarePlan.review_reminded_on < today),
        )
        .order_by(CarePlan.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=CarePlan)
    )
    count = 0
    for plan in db.session.scalars(stmt).all():
        plan.review_reminded_on = today
        case = plan.case
        told = [case.case_manager, *users.active_users_with(case.owner_agency_id, Permission.CASE_REVIEW)]
        notify.notify_case(told, NotificationKind.CARE_PLAN_REVIEW_DUE, case)
        audit.record(
            AuditAction.CARE_PLAN_REMIND,
            object_type="case",
            object_id=case.uuid,
            details={"care_plan": str(plan.uuid), "review_date": plan.review_date.isoformat()},
        )
        count += 1
    db.session.flush()
    return count


def review_overdue(plan: CarePlan, today: date) -> bool:
    """Say whether an approved plan's review date has passed."""
    return plan.status == CarePlanStatus.APPROVED.value and plan.review_date < today


def as_output(plan: CarePlan) -> CarePlanOut:
    """Return the care plan in the API's shape."""
    return CarePlanOut.model_validate(
        {
            "id": plan.uuid,
            "status": plan.status,
            "goals": [
                {
                    "goal": g.goal or "",
                    "services": g.service_codes,
                    "agency": g.agency.code,
                    "due_date": g.due_date,
                }
                for g in plan.goals
            ],
            "review_date": plan.review_date,
            "review_overdue": review_overdue(plan, localtime.today()),
            "safety_plan": plan.safety_plan or "",
            "author": plan.author.username,
            "created_at": plan.created_at,
            "decided_by": plan.decided_by.username if plan.decided_by else None,
            "decided_at": plan.decided_at,
            "comment": plan.comment or "",
        }
    )
