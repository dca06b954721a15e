"""What is still open on a case: the work that keeps it from being closed (termination, item 7 of the flow).

A case with an open referral (sent or accepted), an open follow-up task of a case conference, or whose
newest care plan is not approved cannot be closed
unless a supervisor overrides with a reason; the answer names each open item by codes, agencies and dates,
never by what the case says.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from caseapp import labels as L
from caseapp import localtime
from caseapp.extensions import db
from caseapp.models import CarePlan, Case, Task
from caseapp.models.practice import CarePlanStatus, TaskStatus
from caseapp.models.referral import Referral, ReferralStatus

OPEN_REFERRAL_STATES = (ReferralStatus.SENT.value, ReferralStatus.ACCEPTED.value)


def open_work(
    case: Case,
    loaded: tuple[list[Referral], list[CarePlan], list[Task]] | None = None,
) -> dict[str, list[str]]:
    """Return what is open on the case, keyed by kind (`referrals`, `care_plans`, `tasks`), each item in a
    line (the owner and the due day of a task, never what it asks).

    `loaded`: the case's referrals, care plans and conference tasks (all of them, or of the tasks at least
    the open ones), when the caller (the case's overview) has read them already; otherwise they are read
    here. Either way the rule below decides.
    """
    if loaded is None:
        loaded = (
            list(db.session.scalars(select(Referral).where(Referral.case_id == case.id))),
            list(db.session.scalars(select(CarePlan).where(CarePlan.case_id == case.id))),
            list(db.session.scalars(select(Task).where(Task.case_id == case.id))),
        )
    referrals = sorted((r for r in loaded[0] if r.status in OPEN_REFERRAL_STATES), key=lambda r: r.id)
    newest = max(loaded[1], key=lambda p: (p.created_at, p.id), default=None)
    plans = [newest] if newest is not None else []
    tasks = sorted(
        (t for t in loaded[2] if t.status == TaskStatus.OPEN.value), key=lambda t: (t.due_date, t.id)
    )
    found: dict[str, list[str]] = {}
    referral_lines = [
        _("Referral to %(agency)s (%(status)s, due %(due)s WITA)")
        % {
            "agency": r.to_agency.code,
            "status": L.label(L.REFERRAL_STATUS_LABELS, r.status),
            "due": localtime.show(r.due_at),
        }
        for r in referrals
    ]
    if referral_lines:
        found["referrals"] = referral_lines
    if plans and plans[0].status != CarePlanStatus.APPROVED.value:
        newest = plans[0]
        found["care_plans"] = [
            _("Care plan of %(day)s not approved (%(status)s)")
            % {
                "day": newest.created_at.date().isoformat(),
                "status": L.label(L.CARE_PLAN_STATUS_LABELS, newest.status),
            }
        ]
    lines = [
        _("Follow-up task of %(owner)s (%(agency)s), due %(day)s")
        % {"owner": t.owner.display_name, "agency": t.owner.agency.code, "day": t.due_date.isoformat()}
        for t in tasks
    ]
    if lines:
        found["tasks"] = lines
    return found


def describe(found: dict[str, list[str]]) -> str:
    """Return one sentence saying what is open (for a 409's message and the browser's notice)."""
    items = [item for lines in found.values() for item in lines]
    return _("The case still has open work: %(items)s.", items="; ".join(items))
