"""A case's lifecycle: one table of steps drives `transition`, `available_actions`
and the API's list of actions.

    new -> assessment -> intervention -> monitoring (-> back to intervention)
    intervention/monitoring: request closure -> a supervisor approves (closed) or returns it
    new/assessment -> cancelled (with a reason); closed -> reopened into intervention (with a reason)
    record_first_contact: once, on an open case

Each row says where the step may start, what permission it needs beyond `case:update`, whether it waits
for (or excludes) a pending closure request, which reason codes it takes, and what it does.
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
from caseapp.errors import InvalidTransition, PermissionDenied, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Case, CaseEvent, User
from caseapp.models.case import CancelReason, CaseStatus, ReopenReason
from caseapp.schemas.cases import CaseAction, TransitionIn
from caseapp.security.permissions import Permission
from caseapp.services import access
from caseapp.services.cases.records import claim
from caseapp.services.cases.rules import require

OPEN_STATES = frozenset(
    {CaseStatus.NEW, CaseStatus.ASSESSMENT, CaseStatus.INTERVENTION, CaseStatus.MONITORING}
)
FIRST_CONTACT_WINDOW = timedelta(days=30)  # a first contact recorded at most this long before registration

Effect = Callable[[Case, TransitionIn, datetime], str | None]


def _nothing(case: Case, step: TransitionIn, now: datetime) -> str | None:
    return None


@dataclass(frozen=True)
class Step:
    """One lifecycle step: where it may start, who may take it, what reason it needs, what it does.

    `effect` changes the case (beyond its status) and returns the reason code to record, if any.
    """

    sources: frozenset[CaseStatus]
    refusal: LazyString  # said when the case's state does not allow the step
    target: CaseStatus | None = None  # the status it leads to (None: the status stays)
    closure_request: bool | None = False  # True: only while one waits; False: only while none does
    guard: Callable[[Case], bool] = lambda case: True
    permission: Permission | None = None  # needed beyond case:update
    reasons: Callable[[], Collection[str]] | None = None  # the step needs one of these reason codes
    reason_refusal: LazyString | None = None
    effect: Effect = _nothing


def _record_first_contact(case: Case, step: TransitionIn, now: datetime) -> str | None:
    when = step.at or now
    if when > now or when < case.created_at - FIRST_CONTACT_WINDOW:
        msg = _("The first contact time must be in the past and near the registration.")
        raise ValidationFailed(msg, fields={"at": [msg]})
    case.first_contact_at = when
    return None


def _request_closure(case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.closure_requested_at = now
    case.closure_requested_reason = step.reason
    return step.reason


def _approve_closure(case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.closed_at = now
    case.closure_reason = case.closure_requested_reason
    case.closure_requested_at = None
    case.closure_requested_reason = None
    return case.closure_reason


def _return_closure(case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.closure_requested_at = None
    case.closure_requested_reason = None
    return None


def _cancel(case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.cancel_reason = step.reason
    case.closed_at = now
    return step.reason


def _reopen(case: Case, step: TransitionIn, now: datetime) -> str | None:
    case.closed_at = None
    case.closure_reason = None
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
    ),
    CaseAction.APPROVE_CLOSURE: Step(
        sources=OPEN_STATES,
        closure_request=True,
        target=CaseStatus.CLOSED,
        refusal=_l("No closure request is waiting."),
        permission=Permission.CASE_CLOSE_APPROVE,
        effect=_approve_closure,
    ),
    CaseAction.RETURN_CLOSURE: Step(
        sources=OPEN_STATES,
        closure_request=True,
        refusal=_l("No closure request is waiting."),
        permission=Permission.CASE_CLOSE_APPROVE,
        effect=_return_closure,
    ),
    CaseAction.CANCEL: Step(
        sources=frozenset({CaseStatus.NEW, CaseStatus.ASSESSMENT}),
        closure_request=None,
        target=CaseStatus.CANCELLED,
        refusal=_l("Only a new case or one in assessment can be cancelled."),
        reasons=lambda: {r.value for r in CancelReason},
        reason_refusal=_l("Choose why the case is cancelled."),
        effect=_cancel,
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
    pending = case.closure_requested_at is not None
    if (
        CaseStatus(case.status) in step.sources
        and (step.closure_request is None or step.closure_request == pending)
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
    # Codes only: a free-text reason given to a step that takes none never reaches the log.
    event_reason = step.effect(case, step_in, now)
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
    audit.record(
        AuditAction.CASE_TRANSITION,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"action": action.value, "from": before, "to": case.status, "reason": event_reason},
    )
    db.session.flush()
    return case.status
