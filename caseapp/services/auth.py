"""Sign-in, server-side sessions and password changes."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm import Session, joinedload

from caseapp import audit
from caseapp.audit import AuditAction, Outcome
from caseapp.database import upsert_insert, utcnow
from caseapp.errors import TooManyAttempts, ValidationFailed
from caseapp.extensions import db
from caseapp.models import LoginThrottle, User, UserSession
from caseapp.services import passwords, tokens
from caseapp.transaction import separate_transaction


class LoginFailed(Exception):
    """Unknown user, wrong password or inactive account: deliberately indistinguishable."""


@dataclass(frozen=True)
class NewSession:
    """A freshly started session: the row and the token for the cookie (shown nowhere else)."""

    row: UserSession
    token: str


def normalise_username(username: str) -> str:
    """Return the canonical form of a username (trimmed, lower-case)."""
    return username.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _login_delay(failures: int) -> int:
    cfg = current_app.config
    over = failures - cfg["LOGIN_FAILURES_BEFORE_DELAY"]
    if over < 0:
        return 0
    return int(min(cfg["LOGIN_DELAY_BASE_SECONDS"] * 2**over, cfg["LOGIN_DELAY_MAX_SECONDS"]))


def throttle_key(username: str) -> str:
    """Return the keyed hash that stands for a typed username in the throttle table."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"login-throttle|" + normalise_username(username).encode(), "sha256").hexdigest()


def _register_failure(session: Session, key: str, now: datetime) -> int:
    """Count one more failure atomically (concurrent attempts all count); return the new total."""
    upsert = (
        upsert_insert(session, LoginThrottle)
        .values(key_hash=key, failures=1, updated_at=now)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key_hash],
            set_={"failures": LoginThrottle.failures + 1, "updated_at": now},
        )
        .returning(LoginThrottle.failures)
    )
    failures = int(session.execute(upsert).scalar_one())
    delay = _login_delay(failures)
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key_hash == key)
        .values(next_allowed_at=now + timedelta(seconds=delay) if delay else None)
    )
    return failures


def _refuse_while_held_back(key: str, now: datetime, password: str, user: User | None) -> None:
    """Raise TooManyAttempts (audited on its own) while failures for this username hold it back."""
    throttle = db.session.get(LoginThrottle, key)
    if throttle and throttle.next_allowed_at and throttle.next_allowed_at > now:
        passwords.burn_verify_time(password)  # as slow as every other answer
        wait = math.ceil((throttle.next_allowed_at - now).total_seconds())
        audit.record_separately(
            AuditAction.AUTH_LOGIN_THROTTLED,
            actor=user,
            object_type="user" if user else None,
            object_id=user.id if user else None,
            outcome=Outcome.DENIED,
            details={"wait_seconds": wait},
        )
        raise TooManyAttempts(
            _("Too many failed attempts. Try again in %(n)d seconds.", n=wait), retry_after=wait
        )


def _clear_failures(key: str) -> None:
    throttle = db.session.get(LoginThrottle, key)
    if throttle is not None:
        db.session.delete(throttle)


def authenticate(username: str, password: str, trusted_device: bool = False) -> User:
    """Return the user for these credentials or raise LoginFailed / TooManyAttempts.

    Every outcome is audited. A refusal is written at once in a short transaction of its own (the failure
    count and its audit entry), so it stays on record although the request that asked fails.

    After a few consecutive failures for a username (existing or not: the answers must not tell) each
    further attempt waits longer, at most LOGIN_DELAY_MAX_SECONDS, and even the right password is refused
    meanwhile. A browser that signed in as this user before (`trusted_device`) is not held back, so
    strangers cannot keep someone out of their account by failing on purpose.
    """
    now = utcnow()
    key = throttle_key(username)
    name = normalise_username(username)
    # No username holds a NUL character (and PostgreSQL cannot compare one): such a name is unknown.
    user = db.session.scalar(db.select(User).where(User.username == name)) if "\x00" not in name else None
    if not trusted_device:
        _refuse_while_held_back(key, now, password, user)
    if user is None:
        passwords.burn_verify_time(password)
        reason = "unknown_user"
    elif not passwords.verify_password(user.password_hash, password):
        reason = "wrong_password"
    elif not user.active:
        reason = "inactive"
    elif user.approval_pending:
        reason = "pending_approval"
    elif not user.agency.active:
        reason = "agency_inactive"
    else:
        reason = ""
    if reason:
        with separate_transaction() as side:
            failures = _register_failure(side, key, now)
        # The typed name of an unknown user is not recorded: people type passwords into that field.
        audit.record_separately(
            AuditAction.AUTH_LOGIN_FAILED,
            actor=user,
            object_type="user" if user else None,
            object_id=user.id if user else None,
            outcome=Outcome.DENIED,
            details={"reason": reason, "failures": failures},
        )
        raise LoginFailed
    assert user is not None
    _clear_failures(key)
    user.last_login_at = now
    audit.record(AuditAction.AUTH_LOGIN, actor=user, object_type="user", object_id=user.id)
    if passwords.app_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    db.session.flush()
    return user


def start_session(user: User, ip_address: str | None, user_agent: str | None) -> NewSession:
    """Create a server-side session for the user and return it with its cookie token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        token_hash=_token_hash(token),
        user=user,
        created_at=now,
        last_seen_at=now,
        expires_at=now + current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
        ip_address=ip_address,
        user_agent=(user_agent or "")[:200] or None,
    )
    db.session.add(row)
    db.session.flush()
    return NewSession(row=row, token=token)


def load_session(token: str) -> UserSession | None:
    """Return the live session for a cookie token, or None when unknown, expired or revoked."""
    row = db.session.scalar(
        db.select(UserSession)
        .where(UserSession.token_hash == _token_hash(token))
        .options(joinedload(UserSession.user).joinedload(User.agency))  # one query on every request
    )
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    if now >= row.expires_at or now - row.last_seen_at >= idle:
        return None
    if not row.user.is_active or not row.user.agency.active:
        return None
    return row


def touch_session(row: UserSession) -> None:
    """Mark the session as used now (throttled to once a minute to spare the database)."""
    now = utcnow()
    if now - row.last_seen_at >= timedelta(minutes=1):
        row.last_seen_at = now
        db.session.flush()


def end_session(row: UserSession, reason: str = "logout") -> None:
    """Revoke one session."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_reason = reason
        db.session.flush()
        if reason == "logout":
            audit.record(AuditAction.AUTH_LOGOUT, actor=row.user, object_type="session", object_id=row.id)
        else:
            audit.record(
                AuditAction.AUTH_SESSION_REVOKED,
                actor=row.user,
                object_type="session",
                object_id=row.id,
                details={"reason": reason, "sessions": 1},
            )


def revoke_user_sessions(user: User, reason: str, keep: UserSession | None = None) -> int:
    """Revoke every live session of a user (except `keep`); return how many were revoked."""
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    result = db.session.execute(stmt.execution_options(synchronize_session="fetch"))
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        audit.record(
            AuditAction.AUTH_SESSION_REVOKED,
            object_type="user",
            object_id=user.id,
            details={"reason": reason, "sessions": count},
        )
    return count


def confirm_password(
    user: User, password: str, field: str = "password", purpose: str = "password_change"
) -> None:
    """Check the signed-in user's own password again (before a password change or an exact export).

    Checked like a sign-in: a wrong one counts as a failure of that username (recorded and audited on its
    own, with its purpose), and while failures hold the username back even the right one is refused
    (TooManyAttempts), so a borrowed session cannot be used to guess it. Raise ValidationFailed on `field`.
    """
    now = utcnow()
    key = throttle_key(user.username)
    _refuse_while_held_back(key, now, password, user)
    if not passwords.verify_password(user.password_hash, password):
        with separate_transaction() as side:
            failures = _register_failure(side, key, now)
        audit.record_separately(
            AuditAction.AUTH_PASSWORD_CHECK_FAILED,
            actor=user,
            object_type="user",
            object_id=user.id,
            details={"failures": failures, "purpose": purpose},
        )
        message = _("The current password is wrong.")
        raise ValidationFailed(message, fields={field: [message]})
    _clear_failures(key)


def change_password(
    user: User, current_password: str, new_password: str, keep: UserSession | None = None
) -> None:
    """Change the user's own password; every other session and every API token of theirs is revoked.

    The current password is checked like a sign-in: a wrong one counts as a failure of that username
    (recorded and audited on its own), and while failures hold the username back even the right one
    is refused, so a borrowed session cannot be used to guess it.
    """
    confirm_password(user, current_password, field="current_password")
    if new_password == current_password:
        msg = _("Choose a password different from the current one.")
        raise ValidationFailed(msg, fields={"new_password": [msg]})
    words = passwords.context_words(user.username, user.display_name, user.agency)
    passwords.check_policy(new_password, words, field="new_password")
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    db.session.flush()
    audit.record(AuditAction.AUTH_PASSWORD_CHANGE, actor=user, object_type="user", object_id=user.id)
    revoke_user_sessions(user, "password_change", keep=keep)
    tokens.revoke_all_tokens(user)
