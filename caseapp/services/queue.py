"""The work queue: what waits for a user, gathered from the records they answer for.

Each source asks the rule that already decides who may act (`visible_cases`, the lifecycle's permissions,
`referrals.access.can_respond`, `visible_complaints`), so an item appears only where its user may do it.
Items carry case numbers, codes and times, never what a case says about a child; an incoming referral's
case is named by its number only (the receiving agency reads the case through the referral).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseapp import audit, localtime
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models import Assessment, CarePlan, Case, Task, User
from caseapp.models.practice import CarePlanStatus, TaskStatus
from caseapp.models.queue import QueueKind
from caseapp.models.referral import Referral, ReferralStatus
from caseapp.schemas.queue import QueueItem
from caseapp.security.permissions import Permission
from caseapp.services import complaints, conferences, legal
from caseapp.services.cases.lifecycle import OPEN_STATES
from caseapp.services.referrals import access as referral_access
from caseapp.services.scoping import visible_cases

LIMIT = 100  # per source


def _case_link(case: Case, section: str | None = None) -> str:
    """Return the address of the case's page, or of one of its section pages (web/cases/pages.py)."""
    return f"/cases/{case.uuid}" + (f"/section/{section}" if section else "")


def _requests(user: User, now: datetime) -> list[QueueItem]:
    """Closure and cancellation requests of the user's agency's cases, for a supervisor to answer."""
    if not user.can(Permission.CASE_CLOSE_APPROVE):
        return []
    items: list[QueueItem] = []
    mine = visible_cases(user).where(Case.owner_agency_id == user.agency_id)
    for column, kind in (
        (Case.closure_requested_at, QueueKind.CLOSURE_TO_APPROVE),
        (Case.cancel_requested_at, QueueKind.CANCELLATION_TO_APPROVE),
    ):
        rows = db.session.scalars(mine.where(column.is_not(None)).order_by(column).limit(LIMIT))
        for case in rows:
            since = (
                case.closure_requested_at
                if kind is QueueKind.CLOSURE_TO_APPROVE
                else case.cancel_requested_at
            )
            assert since is not None
            items.append(
                QueueItem(
                    kind=kind,
                    case_id=case.uuid,
                    case_number=case.case_number,
                    since=since,
                    due_at=None,
                    overdue=False,
                    link=_case_link(case),
                )
            )
    return items


def _assessments(user: User, now: datetime) -> list[QueueItem]:
    """The newest assessment of each open case of the agency, while no supervisor has reviewed it."""
    if not user.can(Permission.CASE_REVIEW):
        return []
    cases = visible_cases(user).where(
        Case.owner_agency_id == user.agency_id, Case.status.in_([s.value for s in OPEN_STATES])
    )
    stmt = (
        select(Assessment)
        .where(Assessment.case_id.in_(cases.with_only_columns(Case.id)))
        .order_by(Assessment.case_id, Assessment.created_at.desc(), Assessment.id.desc())
    )
    items: list[QueueItem] = []
    seen: set[int] = set()
    for row in db.session.scalars(stmt.limit(LIMIT * 5)):
        if row.case_id in seen:
            continue
        seen.add(row.case_id)
        if row.reviewed_at is None:
            items.append(
                QueueItem(
                    kind=QueueKind.ASSESSMENT_TO_REVIEW,
                    case_id=row.case.uuid,
                    case_number=row.case.case_number,
                    since=row.created_at,
                    due_at=None,
                    overdue=False,
                    link=_case_link(row.case, "practice") + "#assessment",
                )
            )
    return items


def _care_plans(user: User, now: datetime) -> list[QueueItem]:
    """The newest care plan of each open case: to approve (supervisors), returned (its case manager), its
    review overdue (both)."""
    reviews = user.can(Permission.CASE_REVIEW)
    if not (reviews or user.can(Permission.CASE_UPDATE)):
        return []
    watched = Case.owner_agency_id == user.agency_id if reviews else Case.case_manager_id == user.id
    cases = visible_cases(user).where(watched, Case.status.in_([s.value for s in OPEN_STATES]))
    stmt = (
        select(CarePlan)
        .where(CarePlan.case_id.in_(cases.with_only_columns(Case.id)))
        .order_by(CarePlan.case_id, CarePlan.created_at.desc(), CarePlan.id.desc())
    )
    items: list[QueueItem] = []
    seen: set[int] = set()
    for plan in db.session.scalars(stmt.limit(LIMIT * 5)):
        if plan.case_id in seen:
            continue
        seen.add(plan.case_id)
        kind, due = None, None
        if plan.status == CarePlanStatus.PENDING.value and reviews:
            kind = QueueKind.CARE_PLAN_TO_APPROVE
        elif plan.status == CarePlanStatus.RETURNED.value and plan.case.case_manager_id == user.id:
            kind = QueueKind.CARE_PLAN_RETURNED
        elif plan.status == CarePlanStatus.APPROVED.value:
            due = datetime.combine(plan.review_date + timedelta(days=1), time.min)  # the day has passed
            if now >= due:
                kind = QueueKind.CARE_PLAN_REVIEW_OVERDUE
        if kind is not None:
            items.append(
                QueueItem(
                    kind=kind,
                    case_id=plan.case.uuid,
                    case_number=plan.case.case_number,
                    since=plan.decided_at or plan.created_at,
                    due_at=due,
                    overdue=kind is QueueKind.CARE_PLAN_REVIEW_OVERDUE,
                    link=_case_link(plan.case, "practice") + "#care-plan",
                )
            )
    return items


def _first_contacts(user: User, now: datetime) -> list[QueueItem]:
    """The user's own open cases whose first contact is not recorded yet (due or overdue)."""
    if not user.can(Permission.CASE_UPDATE):
        return []
    stmt = (
        visible_cases(user)
        .where(
            Case.case_manager_id == user.id,
            Case.first_contact_at.is_(None),
            Case.status.in_([s.value for s in OPEN_STATES]),
        )
        .order_by(Case.first_contact_due_at)
        .limit(LIMIT)
    )
    return [
        QueueItem(
            kind=QueueKind.FIRST_CONTACT_DUE,
            case_id=case.uuid,
            case_number=case.case_number,
            since=case.created_at,
            due_at=case.first_contact_due_at,
            overdue=case.first_contact_overdue(now),
            link=_case_link(case),
        )
        for case in db.session.scalars(stmt)
    ]


def _referral_item(
    kind: QueueKind, referral: Referral, now: datetime, case_id: uuid.UUID | None
) -> QueueItem:
    return QueueItem(
        kind=kind,
        case_id=case_id,
        case_number=referral.case.case_number,
        referral_id=referral.id,
        since=referral.sent_at,
        due_at=referral.due_at,
        overdue=referral.is_overdue(now),
        link=f"/referrals/{referral.id}",
    )


def _referrals(user: User, now: datetime) -> list[QueueItem]:
    """Incoming referrals the user may answer; outgoing ones of the user's cases left unanswered too long."""
    items: list[QueueItem] = []
    if user.can(Permission.REFERRAL_RESPOND):
        incoming = select(Referral).where(
            Referral.to_agency_id == user.agency_id, Referral.status == ReferralStatus.SENT.value
        )
        # Who answers the inbox (its supervisors, or every worker where it has none) and the assignee.
        answers_inbox = any(u.id == user.id for u in referral_access.responders(user.agency_id))
        for referral in db.session.scalars(incoming.order_by(Referral.due_at).limit(LIMIT)):
            if answers_inbox or referral_access.is_assignee(user, referral):
                items.append(_referral_item(QueueKind.REFERRAL_TO_ANSWER, referral, now, None))
    if user.can(Permission.REFERRAL_SEND):
        mine = visible_cases(user).where(Case.case_manager_id == user.id).with_only_columns(Case.id)
        if user.can(Permission.CASE_CLOSE_APPROVE):  # a supervisor watches the agency's cases
            mine = (
                visible_cases(user).where(Case.owner_agency_id == user.agency_id).with_only_columns(Case.id)
            )
        outgoing = select(Referral).where(
            Referral.case_id.in_(mine),
            Referral.status == ReferralStatus.SENT.value,
            Referral.due_at < now,
        )
        for referral in db.session.scalars(outgoing.order_by(Referral.due_at).limit(LIMIT)):
            items.append(_referral_item(QueueKind.REFERRAL_OVERDUE, referral, now, referral.case.uuid))
    return items


def _complaints(user: User, now: datetime) -> list[QueueItem]:
    """The agency's complaints waiting for triage (whoever handles its complaints may triage them)."""
    return [
        QueueItem(
            kind=QueueKind.COMPLAINT_TO_TRIAGE,
            case_id=None,
            case_number=None,
            complaint_id=row.uuid,
            since=row.received_at,
            due_at=row.triage_due_at,
            overdue=row.triage_overdue(now),
            link=f"/complaints/{row.uuid}",
        )
        for row in complaints.untriaged(user, LIMIT)
    ]


def _litmas(user: User, now: datetime) -> list[QueueItem]:
    """Litmas requested from Bapas by the user (or, for a supervisor, by their agency) and not received yet,
    with its 3x24-hour deadline, on cases the user still reads (own scope, or the referral's shared part)."""
    if not user.can(Permission.LEGAL_EVENT_RECORD):
        return []
    items: list[QueueItem] = []
    for event, access in legal.pending_litmas(user)[:LIMIT]:
        case = access.case
        if access.referral is None:
            link, case_id = _case_link(case, "legal") + "#legal", case.uuid
        else:
            link, case_id = f"/referrals/{access.referral.id}#legal", None
        due = legal.litmas_due(event)
        items.append(
            QueueItem(
                kind=QueueKind.LITMAS_DUE,
                case_id=case_id,
                case_number=case.case_number,
                referral_id=access.referral.id if access.referral else None,
                since=event.requested_at or event.created_at,
                due_at=due,
                overdue=due is not None and now > due,
                link=link,
            )
        )
    return items


def _tasks(user: User, now: datetime) -> list[QueueItem]:
    """The user's open follow-up tasks on open cases. Where the user cannot read the case (a referral
    partner's worker), the item names the case by its number and links to the referral, and carries only
    the task's description."""
    if not user.can(Permission.CASE_UPDATE):
        return []
    open_cases = select(Case.id).where(Case.status.in_([s.value for s in OPEN_STATES]))
    stmt = (
        select(Task)
        .where(conferences.owned_by(user), Task.status == TaskStatus.OPEN.value, Task.case_id.in_(open_cases))
        .options(joinedload(Task.case).joinedload(Case.data_key), joinedload(Task.conference))
        .order_by(Task.due_date, Task.id)
        .limit(LIMIT)
    )
    rows = list(db.session.scalars(stmt))
    if not rows:
        return []
    readable = set(
        db.session.scalars(
            visible_cases(user).where(Case.id.in_({t.case_id for t in rows})).with_only_columns(Case.id)
        )
    )
    items: list[QueueItem] = []
    for task in rows:
        # The last second of the due day in Kendari (shown as 23:59 WITA); overdue once it has passed.
        due = localtime.midnight_utc(task.due_date + timedelta(days=1)) - timedelta(seconds=1)
        own = task.case_id in readable
        if own:
            link = _case_link(task.case, "practice") + "#conferences"
        elif task.referral_id is not None:
            link = f"/referrals/{task.referral_id}"
        else:
            link = f"/cases/tasks/{task.uuid}"
        items.append(
            QueueItem(
                kind=QueueKind.TASK,
                case_id=task.case.uuid if own else None,
                case_number=task.case.case_number,
                referral_id=None if own else task.referral_id,
                task_id=task.uuid,
                description=task.description or "",
                since=task.conference.created_at,
                due_at=due,
                overdue=now > due,
                link=link,
            )
        )
    # The descriptions are case content: their reading is on record, once per case, like a section's.
    shown: dict[uuid.UUID, list[str]] = {}
    for task in rows:
        shown.setdefault(task.case.uuid, []).append(str(task.uuid))
    for case_uuid, task_ids in shown.items():
        audit.record(
            AuditAction.CASE_VIEW,
            actor=user,
            object_type="case",
            object_id=case_uuid,
            details={"section": "tasks", "tasks": task_ids},
        )
    return items


def work_queue(user: User) -> list[QueueItem]:
    """Return what waits for the user: overdue first, then soonest due, then oldest."""
    now = utcnow()
    sources = (
        _requests,
        _assessments,
        _care_plans,
        _first_contacts,
        _referrals,
        _complaints,
        _litmas,
        _tasks,
    )
    items = [item for source in sources for item in source(user, now)]
    return sorted(items, key=lambda item: item.sort_key(now))
