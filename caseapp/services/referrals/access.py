"""Who may do what with a referral: the one place for the referral access rules.

A referral has two sides. The sender side is whoever may read the case (`visible_cases`); they may
withdraw it. The receiving side is the workers of the receiving agency: any of them may accept it, the
agency's supervisors (`referral:supervise`) and the assignee may decline or complete it and read what the
sender shared, and only supervisors assign it. Services refuse a step with `require_step`; pages and the API
offer exactly `available_referral_actions`; nothing compares role names.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select

from caseapp.database import utcnow
from caseapp.errors import PermissionDenied
from caseapp.extensions import db
from caseapp.models import Case, User
from caseapp.models.case import CaseStatus
from caseapp.models.referral import Referral, ReferralStatus, Section
from caseapp.security.permissions import Permission, Role, role_has
from caseapp.services.access import record_denial
from caseapp.services.proceedings import proceedings_open
from caseapp.services.scoping import visible_cases


class Step(StrEnum):
    """A step someone takes on a referral after it is sent."""

    ACCEPT = "accept"
    ASSIGN = "assign"
    DECLINE = "decline"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"


OPEN = (ReferralStatus.SENT.value, ReferralStatus.ACCEPTED.value)
# The statuses each step starts from (the guarded update checks them again, atomically).
STEP_FROM: dict[Step, tuple[str, ...]] = {
    Step.ACCEPT: (ReferralStatus.SENT.value,),
    Step.ASSIGN: OPEN,
    Step.DECLINE: (ReferralStatus.SENT.value,),
    Step.COMPLETE: (ReferralStatus.ACCEPTED.value,),
    Step.WITHDRAW: OPEN,
}
# The permission a route of each step declares (and a refusal is recorded under).
STEP_PERMISSION: dict[Step, Permission] = {
    Step.ACCEPT: Permission.REFERRAL_RESPOND,
    Step.ASSIGN: Permission.REFERRAL_RESPOND,
    Step.DECLINE: Permission.REFERRAL_RESPOND,
    Step.COMPLETE: Permission.REFERRAL_RESPOND,
    Step.WITHDRAW: Permission.REFERRAL_SEND,
}
READABLE = (ReferralStatus.SENT.value, ReferralStatus.ACCEPTED.value, ReferralStatus.COMPLETED.value)
# Sections that identify the child or the family: on a restricted case only a supervisor shares them.
IDENTIFYING = frozenset(
    {Section.IDENTITY, Section.CONTACT, Section.PERPETRATOR, Section.NOTES, Section.ATTACHMENTS}
)


# The two sides --------------------------------------------------------------------------------------------


def visible_referrals(user: User) -> Select[tuple[Referral]]:
    """Return a select of the referrals the user may list: their cases' (sender side) and their inbox."""
    stmt = select(Referral)
    if not user.can(Permission.REFERRAL_RESPOND) and not user.can(Permission.REFERRAL_SEND):
        return stmt.where(false())
    own_cases = visible_cases(user).with_only_columns(Case.id)
    return stmt.where(or_(Referral.case_id.in_(own_cases), Referral.to_agency_id == user.agency_id))


def is_sender_side(user: User, referral: Referral) -> bool:
    """Say whether the user sees the referral as the referring side (they may read its case)."""
    return (
        db.session.scalar(visible_cases(user).where(Case.id == referral.case_id).with_only_columns(Case.id))
        is not None
    )


def is_receiver_side(user: User, referral: Referral) -> bool:
    """Say whether the user answers the referral as a worker of the receiving agency."""
    return user.can(Permission.REFERRAL_RESPOND) and referral.to_agency_id == user.agency_id


def supervises(user: User, referral: Referral) -> bool:
    """Say whether the user answers for the receiving agency's inbox (its supervisors)."""
    return is_receiver_side(user, referral) and user.can(Permission.REFERRAL_SUPERVISE)


def is_assignee(user: User, referral: Referral) -> bool:
    """Say whether the referral is assigned to the user (still a worker of the receiving agency)."""
    return is_receiver_side(user, referral) and referral.assignee_id == user.id


# Steps ----------------------------------------------------------------------------------------------------


def can_respond(user: User, referral: Referral, step: Step) -> bool:
    """Say whether the user may take the step on this referral (whatever its status: see STEP_FROM)."""
    if step == Step.ACCEPT:
        return is_receiver_side(user, referral)
    if step == Step.ASSIGN:
        return supervises(user, referral)
    if step in (Step.DECLINE, Step.COMPLETE):
        return supervises(user, referral) or is_assignee(user, referral)
    if step == Step.WITHDRAW:
        return user.can(Permission.REFERRAL_SEND) and is_sender_side(user, referral)
    return False


def available_referral_actions(user: User, referral: Referral) -> list[Step]:
    """Return the steps the user may take on the referral now (what pages offer)."""
    return [step for step in Step if referral.status in STEP_FROM[step] and can_respond(user, referral, step)]


def require_step(user: User, referral: Referral, step: Step) -> None:
    """Refuse (403, audited) a user who may not take the step on this referral."""
    if can_respond(user, referral, step):
        return
    record_denial(user, STEP_PERMISSION[step], object_type="referral", object_id=str(referral.id))
    if step == Step.WITHDRAW:
        raise PermissionDenied(str(Permission.REFERRAL_SEND))
    raise PermissionDenied(_("Only the receiving supervisor or the assignee may do this."))


# Reading what was shared ----------------------------------------------------------------------------------


def may_read_shared(user: User, referral: Referral) -> bool:
    """Say whether the user may read the shared sections (receiving supervisor or assignee, while allowed)."""
    if not (supervises(user, referral) or is_assignee(user, referral)):
        return False
    if referral.status not in READABLE or referral.case.status == CaseStatus.CANCELLED.value:
        return False
    if referral.case.is_shredded:  # retention removed the identity: nothing is left to share
        return False
    if referral.status == ReferralStatus.COMPLETED.value and referral.completed_at is not None:
        # Read-only after completion, for a while (writing the report up), not for ever; and while legal
        # proceedings on the case are open (the police, prosecutor and court work on it for months).
        days = int(current_app.config.get("REFERRAL_READ_AFTER_COMPLETION_DAYS", 30))
        if utcnow() > referral.completed_at + timedelta(days=days) and not proceedings_open(referral.case):
            return False
    return True


def read_access_ends(referral: Referral) -> datetime | None:
    """Return when reading a completed referral's shared sections ends by the completion rule alone (None
    while it is not completed); open legal proceedings keep it longer (`proceedings.open_until`)."""
    if referral.status != ReferralStatus.COMPLETED.value or referral.completed_at is None:
        return None
    days = int(current_app.config.get("REFERRAL_READ_AFTER_COMPLETION_DAYS", 30))
    return referral.completed_at + timedelta(days=days)


# Sending --------------------------------------------------------------------------------------------------


def may_refer_without_consent(user: User) -> bool:
    """Say whether the user may refer on a recorded legal basis instead of consent (supervisors)."""
    return user.can(Permission.REFERRAL_SUPERVISE)


def may_share(user: User, case: Case, sections: Iterable[str]) -> bool:
    """Say whether the user may share these sections (a restricted case's identifying ones: supervisors)."""
    if not case.is_restricted or user.can(Permission.REFERRAL_SUPERVISE):
        return True
    return not IDENTIFYING & {Section(s) for s in sections}


# People ---------------------------------------------------------------------------------------------------


def _active_in(agency_id: int, permission: Permission, order: Any = User.id) -> Select[tuple[User]]:
    """Select the agency's active users whose role grants the permission."""
    roles = [role.value for role in Role if role_has(role, permission)]
    return (
        select(User)
        .where(User.agency_id == agency_id, User.active.is_(True), User.role.in_(roles))
        .order_by(order)
    )


def responders(agency_id: int) -> list[User]:
    """Return who answers for an agency's inbox: its supervisors, or every worker if it has none."""
    supervisors = list(db.session.scalars(_active_in(agency_id, Permission.REFERRAL_SUPERVISE)))
    return supervisors or list(db.session.scalars(_active_in(agency_id, Permission.REFERRAL_RESPOND)))


def assignable_workers(referral: Referral) -> list[User]:
    """Return the workers a referral may be assigned to: the receiving agency's active responders."""
    stmt = _active_in(referral.to_agency_id, Permission.REFERRAL_RESPOND, order=User.display_name)
    return list(db.session.scalars(stmt))


def may_be_assigned(user: User, referral: Referral) -> bool:
    """Say whether the referral may be assigned to the user."""
    return user.active and user.agency_id == referral.to_agency_id and user.can(Permission.REFERRAL_RESPOND)
