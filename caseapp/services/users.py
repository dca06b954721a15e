"""User and agency administration."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from caseapp import audit, reference_data
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import NotFound, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Agency, LoginThrottle, User, UserSession
from caseapp.security.permissions import Permission, Role, role_has
from caseapp.services import access, passwords, tokens
from caseapp.services.auth import normalise_username, revoke_user_sessions, throttle_key
from caseapp.services.stepup import require_recent_auth


def agency_by_code(code: str) -> Agency:
    """Return the agency with this code or raise NotFound."""
    agency = db.session.scalar(db.select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        raise NotFound(_("Unknown agency %(code)s.", code=code))
    return agency


def get_user(user_id: int) -> User:
    """Return a user by id or raise NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        msg = _("Unknown role %(role)s.", role=role)
        raise ValidationFailed(msg, fields={"role": [msg]}) from None


def create_user(
    actor: User | None,
    username: str,
    display_name: str,
    role: str,
    agency: Agency,
    password: str,
    email: str | None = None,
    must_change_password: bool = False,
    active: bool = True,
    session: UserSession | None = None,
) -> User:
    """Create a user after checking the username, role and password policy.

    An administrator (`actor`) creates users only after a recent step-up, and an account they give a role
    that reads cases waits for a second person's approval (`approve`). The operator's shell (`actor`
    None, whoever holds the server and its keys) is the bootstrap path: trusted, audited as `via: cli`.
    """
    if actor is not None:
        require_recent_auth(actor, session)
    username = normalise_username(username)
    role_enum = _check_role(role)
    if not username or len(username) > 64:
        msg = _("Enter a username of at most 64 characters.")
        raise ValidationFailed(msg, fields={"username": [msg]})
    if db.session.scalar(db.select(User.id).where(User.username == username)) is not None:
        msg = _("This username is already taken.")
        raise ValidationFailed(msg, fields={"username": [msg]})
    passwords.check_policy(password, passwords.context_words(username, display_name, agency))
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        email=(email or "").strip() or None,
        role=role_enum.value,
        agency=agency,
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
        active=active,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        AuditAction.USER_CREATE,
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"role": user.role, "agency": agency.code, "via": "web" if actor else "cli"},
    )
    if actor is not None and reads_cases(role_enum):
        _await_approval(actor, user)
    return user


def reads_cases(role: Role | str) -> bool:
    """Say whether a role reads children's data (so granting it needs a second person)."""
    return role_has(role, Permission.CASE_READ)


def _await_approval(actor: User, user: User) -> None:
    user.approval_pending = True
    user.approval_requested_by_id = actor.id
    user.approved_by_id = None
    user.approved_at = None
    db.session.flush()
    audit.record(
        AuditAction.USER_APPROVAL_REQUESTED,
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"role": user.role, "agency": user.agency.code},
    )


def _agency_has_approver(agency: Agency) -> bool:
    stmt = db.select(User).where(User.agency_id == agency.id, User.active, ~User.approval_pending)
    return any(
        role_has(u.role, Permission.USER_APPROVE) and reads_cases(u.role) for u in db.session.scalars(stmt)
    )


def may_approve(actor: User, user: User) -> bool:
    """Say whether the actor may approve this pending account (the two-person rule).

    A supervisor of the account's agency may; an administrator only where that agency has no supervisor,
    and never one who asked for the account. Nobody approves themselves.
    """
    if not user.approval_pending or actor.id == user.id or not actor.can(Permission.USER_APPROVE):
        return False
    if actor.id == user.approval_requested_by_id:
        return False
    if reads_cases(actor.role):
        return actor.agency_id == user.agency_id
    return actor.can(Permission.USER_MANAGE) and not _agency_has_approver(user.agency)


def pending_approvals(actor: User) -> list[User]:
    """Return the pending accounts this actor may approve."""
    stmt = db.select(User).where(User.approval_pending).order_by(User.created_at)
    return [u for u in db.session.scalars(stmt) if may_approve(actor, u)]


def approve(actor: User, user_id: int) -> User:
    """Approve a pending account; it can sign in from now on. NotFound outside what the actor may approve."""
    user = db.session.get(User, user_id)
    if user is None or not may_approve(actor, user):
        # A refused approval (the requester themselves, another agency...) is on record.
        access.record_denial(actor, Permission.USER_APPROVE, "user", str(user_id))
        raise NotFound()
    user.approval_pending = False
    user.approved_by_id = actor.id
    user.approved_at = utcnow()
    db.session.flush()
    audit.record(
        AuditAction.USER_APPROVE,
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={
            "role": user.role,
            "agency": user.agency.code,
            "requested_by": user.approval_requested_by_id,
        },
    )
    return user


def update_user(
    actor: User,
    user: User,
    display_name: str,
    email: str | None,
    role: str,
    agency: Agency,
    active: bool,
) -> list[str]:
    """Change a user's profile, role, agency or status; return the names of changed fields.

    A change of role, agency or a deactivation ends the user's sessions at once.
    """
    role_enum = _check_role(role)
    # Nobody locks themselves out of account management (and so, possibly, everyone else).
    if user.id == actor.id and (not role_has(role_enum, Permission.USER_MANAGE) or not active):
        msg = _("You cannot remove your own administrator rights or deactivate yourself.")
        raise ValidationFailed(msg, fields={"role": [msg]})
    changes: list[str] = []
    old_role, old_agency = user.role, user.agency.code
    new_values = {
        "display_name": display_name.strip() or user.username,
        "email": (email or "").strip() or None,
        "role": role_enum.value,
        "agency_id": agency.id,
        "active": active,
    }
    for field, value in new_values.items():
        if getattr(user, field) != value:
            setattr(user, field, value)
            changes.append(field)
    if "agency_id" in changes:
        user.agency = agency
    db.session.flush()
    if not changes:
        return changes
    audit.record(
        AuditAction.USER_UPDATE, actor=actor, object_type="user", object_id=user.id, changed_fields=changes
    )
    if {"role", "agency_id"} & set(changes):
        audit.record(
            AuditAction.USER_ROLE_CHANGE,
            actor=actor,
            object_type="user",
            object_id=user.id,
            details={"from": f"{old_role}@{old_agency}", "to": f"{user.role}@{agency.code}"},
        )
    if "active" in changes and not active:
        audit.record(AuditAction.USER_DEACTIVATE, actor=actor, object_type="user", object_id=user.id)
    # Into a role that reads cases (or a wider one), or such a role in another agency: a second person
    # approves first.
    if reads_cases(role_enum) and {"role", "agency_id"} & set(changes):
        _await_approval(actor, user)
    if {"role", "agency_id", "active"} & set(changes):
        revoke_user_sessions(user, "role_change" if "active" not in changes else "deactivated")
        tokens.revoke_all_tokens(user)
    return changes


def reset_password(actor: User, user: User) -> str:
    """Give the user a new random password they must change at next sign-in; return it once.

    The administrator sees that password, so an account that reads cases waits for a second person's
    approval again (else a reset would let them sign in as a case worker and read children's data).
    """
    temporary = passwords.generate_password()
    user.password_hash = passwords.hash_password(temporary)
    user.must_change_password = True
    user.password_changed_at = utcnow()
    clear_login_throttle(user)
    db.session.flush()
    audit.record(AuditAction.USER_PASSWORD_RESET, actor=actor, object_type="user", object_id=user.id)
    revoke_user_sessions(user, "password_reset")
    tokens.revoke_all_tokens(user)
    if reads_cases(user.role):
        _await_approval(actor, user)
    return temporary


def clear_login_throttle(user: User) -> None:
    """Forget the user's failed sign-ins (an administrator vouched for them with a new password)."""
    row = db.session.get(LoginThrottle, throttle_key(user.username))
    if row is not None:
        db.session.delete(row)


def update_agency(actor: User, agency: Agency, name: str, accepts_referrals: bool, active: bool) -> list[str]:
    """Change an agency's name, referral acceptance or status; return the changed field names."""
    changes: list[str] = []
    name = name.strip()
    if not name:
        msg = _("Enter the agency's name.")
        raise ValidationFailed(msg, fields={"name": [msg]})
    for field, value in (("name", name), ("accepts_referrals", accepts_referrals), ("active", active)):
        if getattr(agency, field) != value:
            setattr(agency, field, value)
            changes.append(field)
    db.session.flush()
    if changes:
        reference_data.clear_cache()  # this process offers the change at once; others within minutes
        audit.record(
            AuditAction.AGENCY_UPDATE,
            actor=actor,
            object_type="agency",
            object_id=agency.code,
            changed_fields=changes,
        )
    return changes


def set_locale(user: User, lang: str) -> None:
    """Remember the user's interface language."""
    user.locale = lang
    db.session.flush()


def active_users_with(agency_id: int, permission: Permission) -> list[User]:
    """Return the agency's active users whose role grants the permission (who a request is addressed to)."""
    roles = [role.value for role in Role if role_has(role, permission)]
    stmt = (
        select(User)
        .where(User.agency_id == agency_id, User.active.is_(True), User.role.in_(roles))
        .order_by(User.id)
    )
    return list(db.session.scalars(stmt))
