"""Case conferences (konferensi kasus) and their follow-up tasks (tindak lanjut).

The case's workers record a conference like a care plan (`case:update` on a case they can see, while it is
open): when it was held, the agencies and people present, what was decided, and tasks, each with an owner
and a due day. A task's owner is an active worker of the owning agency, or of an agency that is a referral
partner on the case (an open referral to it: `referrals.access.OPEN`); such an owner never reads the
conference through the task, only the task's description (the queue names the case by its number and links
to the referral). The owner, or a supervisor of the owning agency, completes a task; an open task keeps the
case from being closed (`cases.open_work`). People, decisions, descriptions and notes are encrypted under
the case's data key; the audit log carries codes and ids only.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import joinedload

from caseapp import audit, localtime
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, PermissionDenied, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Case, Conference, Referral, Task, User
from caseapp.models.practice import TaskStatus
from caseapp.models.referral import NotificationKind
from caseapp.schemas.practice import ConferenceIn, ConferenceOut, TaskCompleteIn, TaskOut
from caseapp.security.permissions import Permission, Role, role_has
from caseapp.services import access, notify
from caseapp.services.cases.rules import read_section, require
from caseapp.services.referrals.access import OPEN as OPEN_REFERRAL
from caseapp.services.scoping import find_in_scope, of_visible_case


def _roles(permission: Permission) -> list[str]:
    return [role.value for role in Role if role_has(role, permission)]


def owner_candidates(case: Case) -> list[User]:
    """Return who may own a task of the case: active workers of the owning agency (`case:update`) and of
    the agencies with an open referral on it (`referral:respond`), in one statement."""
    partners = select(Referral.to_agency_id).where(
        Referral.case_id == case.id, Referral.status.in_(OPEN_REFERRAL)
    )
    stmt = (
        select(User)
        .where(
            User.active.is_(True),
            User.approval_pending.is_(False),
            or_(
                and_(User.agency_id == case.owner_agency_id, User.role.in_(_roles(Permission.CASE_UPDATE))),
                and_(User.agency_id.in_(partners), User.role.in_(_roles(Permission.REFERRAL_RESPOND))),
            ),
        )
        .order_by(User.display_name, User.id)
    )
    return list(db.session.scalars(stmt))


def _partner_referral(case: Case, agency_id: int) -> Referral | None:
    stmt = (
        select(Referral)
        .where(
            Referral.case_id == case.id,
            Referral.to_agency_id == agency_id,
            Referral.status.in_(OPEN_REFERRAL),
        )
        .order_by(Referral.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def add_conference(actor: User, case: Case, value: ConferenceIn) -> Conference:
    """Record a case conference and its tasks on an open case the actor works on (audited, codes only)."""
    require(actor, Permission.CASE_UPDATE)
    if not case.is_open:
        raise InvalidTransition(_("A closed or cancelled case cannot be changed; reopen it first."))
    owners = {u.username: u for u in owner_candidates(case)} if value.tasks else {}
    message = _("Choose a worker of the owning agency or of an agency the case is referred to.")
    wrong = {f"tasks.{i}.owner": [message] for i, task in enumerate(value.tasks) if task.owner not in owners}
    if wrong:
        raise ValidationFailed(message, fields=wrong)
    conference = Conference(
        case=case,
        held_on=value.held_on,
        agencies=",".join(value.agencies),
        author_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(conference)
    conference.people = value.people or None
    conference.decisions = value.decisions
    told: list[tuple[User, Referral | None]] = []
    for position, item in enumerate(value.tasks):
        owner = owners[item.owner]
        partner = owner.agency_id != case.owner_agency_id
        referral = _partner_referral(case, owner.agency_id) if partner else None
        if owner.id != actor.id and all(owner.id != u.id for u, _r in told):
            told.append((owner, referral))
        task = Task(
            case=case,
            position=position,
            owner=owner,
            referral_id=referral.id if referral else None,
            due_date=item.due_date,
            status=TaskStatus.OPEN.value,
        )
        conference.tasks.append(task)
        task.description = item.description
    db.session.flush()
    audit.record(
        AuditAction.CONFERENCE_RECORD,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={
            "conference": str(conference.uuid),
            "held_on": str(conference.held_on),
            "agencies": conference.agency_codes,
            "tasks": [str(t.uuid) for t in conference.tasks],
        },
    )
    # Each owner is told (a partner's worker through the referral, the one page of the case they read).
    for owner, referral in told:
        if referral is None:
            notify.notify_case([owner], NotificationKind.TASK_ASSIGNED, case)
        else:
            notify.notify([owner], NotificationKind.TASK_ASSIGNED, referral)
    return conference


def case_conferences(case: Case) -> list[Conference]:
    """Return a case's conferences with their tasks, newest first (one statement)."""
    stmt = (
        select(Conference)
        .where(Conference.case_id == case.id)
        .options(joinedload(Conference.tasks))
        .order_by(Conference.held_on.desc(), Conference.id.desc())
    )
    return list(db.session.scalars(stmt).unique())


def list_conferences(actor: User, case: Case) -> list[Conference]:
    """Return a case's conferences for the actor to read (the read is audited)."""
    read_section(actor, case, "conferences")
    return case_conferences(case)


def open_tasks(case: Case) -> list[Task]:
    """Return the case's tasks not done yet, soonest due first (they keep the case from being closed)."""
    stmt = (
        select(Task)
        .where(Task.case_id == case.id, Task.status == TaskStatus.OPEN.value)
        .order_by(Task.due_date, Task.id)
    )
    return list(db.session.scalars(stmt))


def owned_by(user: User) -> ColumnElement[bool]:
    """The tasks a user reaches as their owner: those of their own agency's cases, and a partner's only
    while the referral it came through is still sent or accepted (after that only the owning agency)."""
    open_referrals = select(Referral.id).where(Referral.status.in_(OPEN_REFERRAL))
    return and_(
        Task.owner_id == user.id, or_(Task.referral_id.is_(None), Task.referral_id.in_(open_referrals))
    )


def get_task(actor: User, task_id: Any) -> Task:
    """Return a task the actor owns or whose case they may see, or raise NotFound (audited)."""

    def find(uid: uuid.UUID) -> Task | None:
        reached = or_(owned_by(actor), of_visible_case(actor, Task.case_id))
        return db.session.scalar(select(Task).where(Task.uuid == uid, reached))

    return find_in_scope(actor, task_id, find, object_type="task", permission=Permission.CASE_UPDATE)


def view_task(actor: User, task_id: Any) -> Task:
    """Open a task for reading (its page): the read of its description is audited on its case."""
    task = get_task(actor, task_id)
    audit.record(
        AuditAction.CASE_VIEW,
        actor=actor,
        object_type="case",
        object_id=task.case.uuid,
        details={"section": "task", "task": str(task.uuid)},
    )
    return task


def may_complete(actor: User, task: Task) -> bool:
    """Say whether the actor may mark the task done: its owner, or a supervisor of the owning agency."""
    if not actor.can(Permission.CASE_UPDATE):
        return False
    if task.owner_id == actor.id and (
        task.referral_id is None
        or db.session.scalar(select(Referral.status).where(Referral.id == task.referral_id)) in OPEN_REFERRAL
    ):
        return True
    return actor.can(Permission.CASE_REVIEW) and task.case.owner_agency_id == actor.agency_id


def complete(actor: User, task: Task, value: TaskCompleteIn) -> Task:
    """Mark an open task done, with an optional note (the owner or a supervisor of the owning agency)."""
    if not may_complete(actor, task):
        access.record_denial(actor, Permission.CASE_UPDATE, object_type="task", object_id=str(task.uuid))
        raise PermissionDenied(_("Only the task's owner or a supervisor of the owning agency may do this."))
    if not task.is_open:
        raise InvalidTransition(_("This task is already done."))
    if not task.case.is_open:
        raise InvalidTransition(_("A closed or cancelled case cannot be changed; reopen it first."))
    task.status = TaskStatus.DONE.value
    task.completed_by = actor
    task.completed_at = utcnow()
    task.completion_note = value.note or None
    db.session.flush()
    audit.record(
        AuditAction.TASK_COMPLETE,
        actor=actor,
        object_type="case",
        object_id=task.case.uuid,
        details={
            "task": str(task.uuid),
            "conference": str(task.conference.uuid),
            "owner": task.owner.username,
            "referral": task.referral_id,
        },
    )
    return task


def is_overdue(task: Task) -> bool:
    """Say whether an open task's due day (in Kendari) has passed."""
    return task.is_open and task.due_date < localtime.today()


def task_output(task: Task) -> TaskOut:
    """Return the task in the API's shape."""
    return TaskOut.model_validate(
        {
            "id": task.uuid,
            "description": task.description or "",
            "owner": task.owner.username,
            "owner_agency": task.owner.agency.code,
            "due_date": task.due_date,
            "overdue": is_overdue(task),
            "status": task.status,
            "completed_by": task.completed_by.username if task.completed_by else None,
            "completed_at": task.completed_at,
            "completion_note": task.completion_note or "",
        }
    )


def as_output(conference: Conference) -> ConferenceOut:
    """Return the conference in the API's shape."""
    return ConferenceOut.model_validate(
        {
            "id": conference.uuid,
            "held_on": conference.held_on,
            "agencies": conference.agency_codes,
            "people": conference.people or "",
            "decisions": conference.decisions or "",
            "tasks": [task_output(t) for t in conference.tasks],
            "author": conference.author.username,
            "created_at": conference.created_at,
        }
    )
