"""Personal API tokens: create (shown once), authenticate, revoke."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.extensions import db
from caseapp.models import ApiToken, User, UserSession
from caseapp.security.permissions import Permission
from caseapp.services.scoping import find_in_scope
from caseapp.services.stepup import require_recent_auth

TOKEN_PREFIX = "cat_"  # noqa: S105 - a public marker, not a secret
MAX_DAYS = 365


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A created token: the row and the secret, which is never stored nor shown again."""

    row: ApiToken
    secret: str


def create_token(
    actor: User | None, user: User, name: str, days: int = 90, session: UserSession | None = None
) -> NewToken:
    """Create a token for the user, valid for `days` days.

    A token signs in without a second factor, so a person creates one only with two-factor sign-in set up
    and a recent step-up on this session; the operator's shell (`actor` None) is trusted as before.
    """
    if actor is not None:
        if not actor.mfa_enrolled:
            raise ValidationFailed(_("Set up two-factor sign-in before creating an API token."))
        require_recent_auth(actor, session)
    name = name.strip()
    if not name or len(name) > 80:
        msg = _("Give the token a name of at most 80 characters.")
        raise ValidationFailed(msg, fields={"name": [msg]})
    if not 1 <= days <= MAX_DAYS:
        msg = _("A token lives 1 to %(n)d days.", n=MAX_DAYS)
        raise ValidationFailed(msg, fields={"days": [msg]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        name=name,
        token_hash=_hash(secret),
        prefix=secret[:12],
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        AuditAction.AUTH_TOKEN_CREATE,
        actor=actor,
        object_type="api_token",
        object_id=row.id,
        details={"user": user.id, "days": days},
    )
    return NewToken(row=row, secret=secret)


def authenticate_token(secret: str) -> ApiToken | None:
    """Return the live token for a bearer secret, or None (unknown, expired, revoked, user inactive)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if not row.user.is_active or not row.user.agency.active:
        return None
    return row


def touch_token(row: ApiToken) -> bool:
    """Record the token's use (at most once a minute); return whether anything changed."""
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= timedelta(minutes=1):
        row.last_used_at = now
        db.session.flush()
        return True
    return False


def user_tokens(user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first."""
    stmt = db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    return list(db.session.scalars(stmt))


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens. Anyone else's, or an id that names none, answers the same
    NotFound and is an audited denial (`find_in_scope`)."""

    def own(key: int) -> ApiToken | None:
        stmt = select(ApiToken).where(ApiToken.id == key, ApiToken.user_id == actor.id)
        return db.session.scalar(stmt)

    row = find_in_scope(
        actor, token_id, own, object_type="api_token", permission=Permission.ACCOUNT_SELF, key=_token_id
    )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
        audit.record(AuditAction.AUTH_TOKEN_REVOKE, actor=actor, object_type="api_token", object_id=row.id)
    return row


def revoke_all_tokens(user: User) -> int:
    """Revoke every live token of a user (deactivation, role change); return how many."""
    rows = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    db.session.flush()
    return len(rows)


def _token_id(value: object) -> int | None:
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
