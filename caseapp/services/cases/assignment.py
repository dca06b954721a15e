"""Who works on a case: its manager and team, people of the owning agency who may work on cases."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.extensions import db
from caseapp.models import Case, CaseEvent, CaseTeamMember, User
from caseapp.schemas.cases import AssignIn
from caseapp.security.permissions import Permission, Role, role_has
from caseapp.services.cases.records import claim
from caseapp.services.cases.rules import CaseStep, check


def assignable_users(case: Case) -> list[User]:
    """Return the active people of the case's agency whose role works on cases (case:update)."""
    working_roles = [role.value for role in Role if role_has(role, Permission.CASE_UPDATE)]
    stmt = (
        select(User)
        .where(
            User.agency_id == case.owner_agency_id,
            User.active.is_(True),
            User.role.in_(working_roles),
        )
        .order_by(User.display_name)
    )
    return list(db.session.scalars(stmt))


def assign(actor: User, case: Case, value: AssignIn) -> None:
    """Set the case manager and team (by username; people of the owning agency); others lose access at
    once."""
    check(actor, case, CaseStep.ASSIGN)
    if value.version != case.version:
        claim(case, value.version)
    allowed = {u.username: u for u in assignable_users(case)}
    manager = allowed.get(value.case_manager)
    if manager is None:
        msg = _("Choose an active worker of the owning agency.")
        raise ValidationFailed(msg, fields={"case_manager": [msg]})
    if any(name not in allowed for name in value.team):
        msg = _("Team members must be active workers of the owning agency.")
        raise ValidationFailed(msg, fields={"team": [msg]})
    team = [allowed[name].id for name in dict.fromkeys(value.team) if allowed[name].id != manager.id]
    claim(case, value.version)
    old_manager = case.case_manager_id
    case.case_manager_id = manager.id
    case.team = [m for m in case.team if m.user_id in team] + [
        CaseTeamMember(user_id=i) for i in team if i not in {m.user_id for m in case.team}
    ]
    case.updated_at = utcnow()
    db.session.flush()
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind="assignment",
            actor_id=actor.id,
            subject_user_id=manager.id,
            reason=None if old_manager == manager.id else "manager_changed",
        )
    )
    audit.record(
        AuditAction.CASE_ASSIGN,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"case_manager": manager.id, "previous_manager": old_manager, "team": sorted(team)},
    )
    db.session.flush()
