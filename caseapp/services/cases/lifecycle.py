"""A case's lifecycle: one table of steps drives `transition`, `available_actions`
and the API's list of actions.

    new -> assessment -> intervention -> monitoring (-> back to intervention)
    intervention/monitoring: request closure -> a supervisor approves (closed) or returns it
    new/assessment: request cancellation -> a supervisor approves (cancelled) or returns it;
                    a supervisor may cancel at once (with a reason)
    closed -> reopened into intervention (with a reason)
    record_first_contact: once, on an open case

Each row says where the step may start, what permission it needs beyond `case:update`, whether it waits
for (or excludes) a pending closure or cancellation request, which reason codes it takes, and what it does.

Termination is honest: the reason `other` needs its explanation (400 naming `explanation`), and a case
with open work (`open_work`: open referrals) is closed only by a supervisor who says why
(`override_reason`; otherwise 409 listing what is open). Each request and its answer notifies the other
side (`notify.notify_case`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from caseapp import audit, reference_data
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, OpenWork, PermissionDenied, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Case, CaseEvent, User
from caseapp.models.case import CancelReason, CaseStatus, ReopenReason
from caseapp.models.referral import NotificationKind
from caseapp.schemas.cases import CaseAction, TransitionIn
from caseapp.security.permissions import Permission
from caseapp.services import access, notify, users
from caseapp.services.cases.open_work import describe, open_work
from caseapp.services.cases.records import claim
from caseapp.services.cases.rules import require, shredded_refusal

OPEN_STATES = frozenset(
    {CaseStatus.NEW, CaseStatus.ASSESSMENT, CaseStatus.INTERVENTION, CaseStatus.MONITORING}
)
FIRST_CONTACT_WINDOW = timedelta(days=30)  # a first contact recorded at most this long before registration

OTHER_REASON = "other"  # the closure reason that needs its explanation

Effect = Callable[[User, Case, TransitionIn, datetime], str | None]


def _nothing(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    return None


@dataclass(frozen=True)
class Step:
    """One lifecycle step: where it may start, who may take it, what reason it needs, what it does.

    `effect` changes the case (beyond its status) and returns the reason code to record, if any.
    `notice` is the notification the step sends (who receives it: `_recipients`).
    """

    sources: frozenset[CaseStatus]
    refusal: LazyString  # said when the case's state does not allow the step
    target: CaseStatus | None = None  # the status it leads to (None: the status stays)
    closure_request: bool | None = False  # True: only while one waits; False: only while none does
    cancel_request: bool | None = False  # the same for a cancellation request
    guard: Callable[[Case], bool] = lambda case: True
    permission: Permission | None = None  # needed beyond case:update
    reasons: Callable[[], Collection[str]] | None = None  # the step needs one of these reason codes
    reason_refusal: LazyString | None = None
    effect: Effect = _nothing
    notice: NotificationKind | None = None


def _record_first_contact(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    when = step.at or now
    if when > now or when < case.created_at - FIRST_CONTACT_WINDOW:
        msg = _("The first contact time must be in the past and near the registration.")
        raise ValidationFailed(msg, fields={"at": [msg]})
    case.first_contact_at = when
    return None


def _request_closure(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    if step.reason == OTHER_REASON and not step.explanation:
        msg = _("Explain why the case can be closed: the reason “Other” needs an explanation.")
        raise ValidationFailed(msg, fields={"explanation": [msg]})
    case.closure_requested_at = now
    case.closure_requested_reason = step.reason
    case.closure_requested_by_id = actor.id
    case.closure_explanation = step.explanation or None
    return step.reason


def _approve_closure(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    found = open_work(case)
    if found and not step.override_reason:
        message = (
            describe(found)
            + " "
            + _("Finish it first, or give a reason to close the case anyway (a supervisor's decision).")
        )
        raise OpenWork(message, fields=found)
    case.closure_override = step.override_reason if found else None
    case.closed_at = now
    case.closure_reason = case.closure_requested_reason
    case.closure_requested_at = None
    case.closure_requested_reason = None
    return case.closure_reason


def _return_closure(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.closure_requested_at = None
    case.closure_requested_reason = None
    case.closure_explanation = None
    return None


def _cancel(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.cancel_reason = step.reason
    case.closed_at = now
    return step.reason


def _request_cancellation(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.cancel_requested_at = now
    case.cancel_requested_reason = step.reason
    case.cancel_requested_by_id = actor.id
    return step.reason


def _approve_cancellation(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.cancel_reason = case.cancel_requested_reason
    case.closed_at = now
    case.cancel_requested_at = None
    case.cancel_requested_reason = None
    return case.cancel_reason


def _return_cancellation(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.cancel_requested_at = None
    case.cancel_requested_reason = None
    return None


def _reopen(actor: User, case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.closed_at = None
    case.closure_reason = None
    case.closure_explanation = None
    case.closure_override = None
    return step.reason


def _closure_reasons() -> Collection[str]:
    return reference_data.code_set("closure_reason")


def _move(source: CaseStatus, target: CaseStatus) -> Step:
    return Step(
        sources=frozenset({source}),
        target=target,
        refusal=_l("This step is not possible from the case's status."),
    )


STEPS: dict[CaseAction, Step] = {
    CaseAction.START_ASSESSMENT: _move(CaseStatus.NEW, CaseStatus.ASSESSMENT),
    CaseAction.START_INTERVENTION: _move(CaseStatus.ASSESSMENT, CaseStatus.INTERVENTION),
    CaseAction.START_MONITORING: _move(CaseStatus.INTERVENTION, CaseStatus.MONITORING),
    CaseAction.BACK_TO_INTERVENTION: _move(CaseStatus.MONITORING, CaseStatus.INTERVENTION),
    CaseAction.RECORD_FIRST_CONTACT: Step(
        sources=OPEN_STATES,
        closure_request=None,
        guard=lambda case: case.first_contact_at is None,
        refusal=_l("The first contact is already recorded."),
        effect=_record_first_contact,
    ),
    CaseAction.REQUEST_CLOSURE: Step(
        sources=frozenset({CaseStatus.INTERVENTION, CaseStatus.MONITORING}),
        refusal=_l("Closure can be requested during intervention or monitoring, once."),
        permission=Permission.CASE_CLOSE_REQUEST,
        reasons=_closure_reasons,
        reason_refusal=_l("Choose why the case can be closed."),
        effect=_request_closure,
        notice=NotificationKind.CLOSURE_REQUESTED,
    ),
    CaseAction.APPROVE_CLOSURE: Step(
        sources=OPEN_STATES,
        closure_request=True,
        target=CaseStatus.CLOSED,
        refusal=_l("No closure request is waiting."),
        permission=Permission.CASE_CLOSE_APPROVE,
        effect=_approve_closure,
        notice=NotificationKind.CLOSURE_APPROVED,
    ),
    CaseAction.RETURN_CLOSURE: Step(
        sources=OPEN_STATES,
        closure_request=True,
        refusal=_l("No closure request is waiting."),
        permission=Permission.CASE_CLOSE_APPROVE,
        effect=_return_closure,
        notice=NotificationKind.CLOSURE_RETURNED,
    ),
    # A cancelled case leaves the statistics: a case worker asks, a supervisor decides.
    CaseAction.CANCEL: Step(
        sources=frozenset({CaseStatus.NEW, CaseStatus.ASSESSMENT}),
        closure_request=None,
        target=CaseStatus.CANCELLED,
        refusal=_l("Only a new case or one in assessment can be cancelled."),
        permission=Permission.CASE_CLOSE_APPROVE,
        reasons=lambda: {r.value for r in CancelReason},
        reason_refusal=_l("Choose why the case is cancelled."),
        effect=_cancel,
    ),
    CaseAction.REQUEST_CANCELLATION: Step(
        sources=frozenset({CaseStatus.NEW, CaseStatus.ASSESSMENT}),
        closure_request=None,
        refusal=_l("Cancellation can be requested for a new case or one in assessment, once."),
        permission=Permission.CASE_CLOSE_REQUEST,
        reasons=lambda: {r.value for r in CancelReason},
        reason_refusal=_l("Choose why the case is cancelled."),
        effect=_request_cancellation,
        notice=NotificationKind.CANCELLATION_REQUESTED,
    ),
    CaseAction.APPROVE_CANCELLATION: Step(
        sources=frozenset({CaseStatus.NEW, CaseStatus.ASSESSMENT}),
        closure_request=None,
        cancel_request=True,
        target=CaseStatus.CANCELLED,
        refusal=_l("No cancellation request is waiting."),
        permission=Permission.CASE_CLOSE_APPROVE,
        effect=_approve_cancellation,
        notice=NotificationKind.CANCELLATION_APPROVED,
    ),
    CaseAction.RETURN_CANCELLATION: Step(
        sources=frozenset({CaseStatus.NEW, CaseStatus.ASSESSMENT}),
        closure_request=None,
        cancel_request=True,
        refusal=_l("No cancellation request is waiting."),
        permission=Permission.CASE_CLOSE_APPROVE,
        effect=_return_cancellation,
        notice=NotificationKind.CANCELLATION_RETURNED,
    ),
    CaseAction.REOPEN: Step(
        sources=frozenset({CaseStatus.CLOSED}),
        closure_request=None,
        target=CaseStatus.INTERVENTION,
        refusal=_l("Only a closed case can be reopened."),
        permission=Permission.CASE_CLOSE_APPROVE,
        reasons=lambda: {r.value for r in ReopenReason},
        reason_refusal=_l("Choose why the case is reopened."),
        effect=_reopen,
    ),
}
if set(STEPS) != set(CaseAction):  # the API's action vocabulary and this table are one list
    raise RuntimeError(f"lifecycle steps and CaseAction differ: {set(STEPS) ^ set(CaseAction)}")


def _state_refusal(case: Case, step: Step) -> str | None:
    if case.is_shredded:  # retention removed the identity: the case cannot be reopened or changed
        return shredded_refusal()
    pending = case.closure_requested_at is not None
    cancel_pending = case.cancel_requested_at is not None
    if (
        CaseStatus(case.status) in step.sources
        and (step.closure_request is None or step.closure_request == pending)
        and (step.cancel_request is None or step.cancel_request == cancel_pending)
        and step.guard(case)
    ):
        return None
    return str(step.refusal)


def _permitted(actor: User, step: Step) -> bool:
    return step.permission is None or actor.can(step.permission)


def available_actions(actor: User, case: Case) -> list[CaseAction]:
    """Return the lifecycle steps the actor may take on the case now (for buttons), in table order."""
    if not actor.can(Permission.CASE_UPDATE):
        return []
    return [
        action
        for action, step in STEPS.items()
        if _permitted(actor, step) and _state_refusal(case, step) is None
    ]


def transition(actor: User, case: Case, step_in: TransitionIn) -> str:
    """Take a lifecycle step; return the case's status.

    Refusals, in this order: a stale version (StaleVersion, 409), a role without the step's permission
    (PermissionDenied, 403, audited), a state that does not allow it (InvalidTransition, 409), a missing
    or unknown reason (ValidationFailed, 400).
    """
    require(actor, Permission.CASE_UPDATE)
    if step_in.version != case.version:
        claim(case, step_in.version)  # a stale step is reported as stale, before anything else
    action = step_in.action
    step = STEPS[action]
    if not _permitted(actor, step):
        assert step.permission is not None
        access.record_denial(actor, step.permission, object_type="case", object_id=str(case.uuid))
        raise PermissionDenied(str(step.permission))
    refusal = _state_refusal(case, step)
    if refusal:
        raise InvalidTransition(refusal)
    if step.reasons is not None and step_in.reason not in step.reasons():
        msg = str(step.reason_refusal)
        raise ValidationFailed(msg, fields={"reason": [msg]})
    claim(case, step_in.version)
    now = utcnow()
    before = case.status
    requester = _requester(case, action)  # read before the effect clears the request
    # Codes only: a free-text reason given to a step that takes none never reaches the log.
    event_reason = step.effect(actor, case, step_in, now)
    if step.target is not None:
        case.status = step.target.value
    case.updated_at = now
    db.session.flush()
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=action.value,
            from_status=before,
            to_status=case.status,
            reason=event_reason,
            actor_id=actor.id,
            created_at=now,
        )
    )
    details: dict[str, object] = {
        "action": action.value,
        "from": before,
        "to": case.status,
        "reason": event_reason,
    }
    if action is CaseAction.APPROVE_CLOSURE and case.closure_override_ct is not None:
        details["override"] = True  # the fact; its reason (free text) stays encrypted on the case
    audit.record(
        AuditAction.CASE_TRANSITION, actor=actor, object_type="case", object_id=case.uuid, details=details
    )
    if step.notice is not None:
        notify.notify_case(_recipients(case, step, actor, requester), step.notice, case)
    db.session.flush()
    return case.status


def _requester(case: Case, action: CaseAction) -> User | None:
    if action in (CaseAction.APPROVE_CLOSURE, CaseAction.RETURN_CLOSURE):
        return case.closure_requested_by
    if action in (CaseAction.APPROVE_CANCELLATION, CaseAction.RETURN_CANCELLATION):
        return case.cancel_requested_by
    return None


def _recipients(case: Case, step: Step, actor: User, requester: User | None) -> list[User]:
    """A request goes to the owning agency's supervisors; an answer to who asked and the case manager."""
    if step.permission is Permission.CASE_CLOSE_REQUEST:
        people = users.active_users_with(case.owner_agency_id, Permission.CASE_CLOSE_APPROVE)
    else:
        people = [u for u in (requester, case.case_manager) if u is not None]
    return [u for u in people if u.id != actor.id]
