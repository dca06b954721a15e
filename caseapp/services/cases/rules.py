"""Who may do what with a case: the one access rule for a case's steps besides its lifecycle.

Reading is decided earlier, by `visible_cases` (a case outside it is a 404). For a case the user can see,
`refusal` says whether they may edit it, add notes and services, refer it, assign it or read its access
log; lifecycle steps have their own table (`lifecycle.STEPS`, asked through `available_actions`). Pages
ask `allowed_steps` for their buttons and the services `check`, so the two never disagree. No rule here
names a role: roles grant permissions (`caseapp.security.permissions`), rules ask for permissions.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import gettext as _

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.errors import CaseappError, InvalidTransition, PermissionDenied
from caseapp.models import Case, User
from caseapp.security.permissions import Permission
from caseapp.services import access


class CaseStep(StrEnum):
    """What a user may do with a case they can see, besides moving it through its lifecycle."""

    EDIT = "edit"
    NOTE = "note"
    SERVICE = "service"
    ATTACH = "attach"
    DELETE_ATTACHMENT = "delete_attachment"
    REFER = "refer"
    ASSIGN = "assign"
    ACCESS_LOG = "access_log"


PERMISSION = {
    CaseStep.EDIT: Permission.CASE_UPDATE,
    CaseStep.NOTE: Permission.CASE_UPDATE,
    CaseStep.SERVICE: Permission.CASE_UPDATE,
    CaseStep.ATTACH: Permission.CASE_UPDATE,
    CaseStep.DELETE_ATTACHMENT: Permission.ATTACHMENT_DELETE,
    CaseStep.REFER: Permission.REFERRAL_SEND,
    CaseStep.ASSIGN: Permission.CASE_ASSIGN,
    CaseStep.ACCESS_LOG: Permission.CASE_ACCESS_LOG,
}


def shredded_refusal() -> str:
    """Say why nothing can be done with a case whose identity retention removed (in the user's language)."""
    return _("The child's identity was removed from this case (retention): it can no longer be changed.")


def require(actor: User, permission: Permission) -> None:
    """Raise PermissionDenied (and audit the denial) unless the actor's role grants the permission."""
    if not actor.can(permission):
        access.record_denial(actor, permission)
        raise PermissionDenied(str(permission))


def refusal(actor: User, case: Case, step: CaseStep) -> CaseappError | None:
    """Return why the actor may not take the step on the case (None: they may)."""
    if not actor.can(PERMISSION[step]):
        return PermissionDenied(str(PERMISSION[step]))
    if case.is_shredded and step is not CaseStep.ACCESS_LOG:
        return InvalidTransition(shredded_refusal())
    if step is CaseStep.ASSIGN and case.owner_agency_id != actor.agency_id:
        return PermissionDenied(str(PERMISSION[step]))  # only the owning agency assigns its cases
    if step is CaseStep.EDIT and not case.is_open:
        return InvalidTransition(_("A closed or cancelled case cannot be edited; reopen it first."))
    if step is CaseStep.REFER and not case.is_open:
        return InvalidTransition(_("This step is not possible from the case's status."))
    return None


def check(actor: User, case: Case, step: CaseStep) -> None:
    """Raise the refusal of a step (a permission denial is audited), or return when the actor may take it."""
    error = refusal(actor, case, step)
    if isinstance(error, PermissionDenied):
        access.record_denial(actor, PERMISSION[step], object_type="case", object_id=str(case.uuid))
    if error is not None:
        raise error


def allowed_steps(actor: User, case: Case) -> frozenset[CaseStep]:
    """Return the steps the actor may take on the case now (for a page's buttons and forms)."""
    return frozenset(step for step in CaseStep if refusal(actor, case, step) is None)


def read_section(actor: User, case: Case, section: str) -> None:
    """Check that the actor reads cases and record the read of one section of the case (audited like a
    view of the case page)."""
    require(actor, Permission.CASE_READ)
    audit.record(
        AuditAction.CASE_VIEW,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"section": section},
    )
