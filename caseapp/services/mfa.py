"""Two-factor sign-in (TOTP, RFC 6238), recovery codes and step-up re-authentication.

The TOTP secret is sealed under the current KEK (bound to the user), never stored or logged in clear. A
code is accepted once: the last accepted time step is kept and a guarded update refuses a step at or
before it, so a code seen over a shoulder or replayed by a proxy fails. Wrong codes count as failed
sign-ins of the username (the same per-account delay) and are audited on their own.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, func, or_, update

from caseapp import audit
from caseapp.audit import AuditAction, Outcome
from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.extensions import db
from caseapp.models import MfaRecoveryCode, User, UserSession
from caseapp.security.crypto import open_secret, seal_secret
from caseapp.security.keys import current_keyring
from caseapp.services import auth, passwords, tokens
from caseapp.services.stepup import require_recent_auth
from caseapp.transaction import separate_transaction

RECOVERY_CODES = 10
STEP_SECONDS = 30
_PURPOSE = "mfa_totp"


def required(user: User) -> bool:
    """Say whether the user's role must sign in with a second factor (MFA_REQUIRED_ROLES)."""
    return user.role in set(current_app.config.get("MFA_REQUIRED_ROLES") or ())


def needed(user: User) -> bool:
    """Say whether signing in asks this user for a second factor (required by role, or enrolled)."""
    return user.mfa_enrolled or required(user)


def _owner(user: User) -> str:
    return f"user_account:{user.id}"


def _seal(user: User, secret: str) -> None:
    ring = current_keyring()
    user.mfa_kek_id = ring.current_kek_id
    user.mfa_secret = seal_secret(
        ring.kek(ring.current_kek_id), ring.current_kek_id, _PURPOSE, _owner(user), secret
    )


def _secret(user: User) -> str | None:
    if user.mfa_secret is None or user.mfa_kek_id is None:
        return None
    ring = current_keyring()
    return open_secret(ring.kek(user.mfa_kek_id), user.mfa_kek_id, _PURPOSE, _owner(user), user.mfa_secret)


def reseal_secrets() -> int:
    """Seal every TOTP secret under a KEK other than the current one again under the current one (`keys
    rotate`); return how many. Idempotent: secrets already under the current KEK are skipped."""
    current = current_keyring().current_kek_id
    rows = db.session.scalars(
        db.select(User).where(User.mfa_secret.is_not(None), User.mfa_kek_id != current)
    ).all()
    for user in rows:
        secret = _secret(user)
        if secret is not None:
            _seal(user, secret)
    db.session.flush()
    return len(rows)


def begin_enrolment(user: User) -> str:
    """Return the secret the user is enrolling with (a new one, sealed, unless one is pending already)."""
    if user.mfa_enrolled:
        raise ValidationFailed(_("Two-factor sign-in is already set up."))
    secret = _secret(user)
    if secret is None:
        secret = pyotp.random_base32()
        _seal(user, secret)
        db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    issuer = str(current_app.config.get("MFA_ISSUER") or "caseapp")
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """Return the QR code of a URI as inline SVG (drawn here: no image service, no script)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title="QR")
    return Markup(svg)  # noqa: S704 - segno's own markup of a URI we built, nothing user-typed


def _current_step() -> int:
    return int(time.time()) // STEP_SECONDS


def _matching_step(secret: str, code: str) -> int | None:
    """Return the time step (now, or one either side for clock drift) whose code this is."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = _current_step()
    for step in (now, now - 1, now + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _fresh_step(user: User, code: str) -> int | None:
    """Return the time step of a current code not used before (reads only), or None."""
    secret = _secret(user)
    step = _matching_step(secret, code) if secret else None
    if step is None or (user.mfa_last_step is not None and step <= user.mfa_last_step):
        return None
    return step


def _claim_step(user: User, step: int) -> bool:
    """Record the step as used unless it (or a later one) was used already; atomic against a race."""
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.mfa_last_step.is_(None), User.mfa_last_step < step))
        .values(mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        return False
    user.mfa_last_step = step
    return True


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(b"caseapp-recovery|" + _normalise_recovery(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 80 bits, 16 characters
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
        db.session.add(MfaRecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    db.session.flush()
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    if len(_normalise_recovery(code)) != 16:
        return False
    row = db.session.scalar(
        db.select(MfaRecoveryCode).where(
            MfaRecoveryCode.user_id == user.id,
            MfaRecoveryCode.code_hash == _recovery_hash(code),
            MfaRecoveryCode.used_at.is_(None),
        )
    )
    if row is None:  # read first: a refusal writes nothing here (its count is written on its own)
        return False
    result = db.session.execute(
        update(MfaRecoveryCode)
        .where(MfaRecoveryCode.id == row.id, MfaRecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def recovery_codes_left(user: User) -> int:
    """Return how many of the user's recovery codes are still unused."""
    stmt = db.select(func.count()).where(
        MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None)
    )
    return int(db.session.scalar(stmt) or 0)


def _refuse(user: User, field: str, purpose: str) -> ValidationFailed:
    """Count a wrong code as a failed sign-in of the username (on its own) and return the error."""
    now = utcnow()
    with separate_transaction() as side:
        failures = auth._register_failure(side, auth.throttle_key(user.username), now)
    audit.record_separately(
        AuditAction.AUTH_MFA_FAILED,
        actor=user,
        object_type="user",
        object_id=user.id,
        outcome=Outcome.DENIED,
        details={"failures": failures, "purpose": purpose},
    )
    message = _("The code is wrong or was already used.")
    return ValidationFailed(message, fields={field: [message]})


def check_code(
    user: User, code: str, field: str = "code", purpose: str = "sign_in", recovery: bool = False
) -> None:
    """Accept a current, unused TOTP code of the user (or, with `recovery`, an unused recovery code).

    Raise TooManyAttempts while failed attempts hold the username back, ValidationFailed on `field` for a
    wrong or replayed code (counted and audited on its own).
    """
    auth._refuse_while_held_back(auth.throttle_key(user.username), utcnow(), "", user)
    step = _fresh_step(user, code) if user.mfa_enrolled else None
    if step is not None and _claim_step(user, step):
        auth._clear_failures(auth.throttle_key(user.username))
        return
    if recovery and user.mfa_enrolled and _use_recovery_code(user, code):
        auth._clear_failures(auth.throttle_key(user.username))
        audit.record(
            AuditAction.AUTH_MFA_RECOVERY_USED,
            actor=user,
            object_type="user",
            object_id=user.id,
            details={"left": recovery_codes_left(user)},
        )
        return
    raise _refuse(user, field, purpose)


def confirm_enrolment(user: User, code: str, session: UserSession | None) -> list[str]:
    """Finish enrolment with a first code from the app; return the ten recovery codes (shown once)."""
    if user.mfa_enrolled:
        raise ValidationFailed(_("Two-factor sign-in is already set up."))
    auth._refuse_while_held_back(auth.throttle_key(user.username), utcnow(), "", user)
    step = _fresh_step(user, code)
    if step is None or not _claim_step(user, step):
        raise _refuse(user, "code", "enrolment")
    auth._clear_failures(auth.throttle_key(user.username))
    now = utcnow()
    user.mfa_enabled_at = now
    codes = _new_recovery_codes(user)
    if session is not None:
        session.mfa_verified_at = now
    db.session.flush()
    audit.record(AuditAction.AUTH_MFA_ENROL, actor=user, object_type="user", object_id=user.id)
    return codes


def verify_sign_in(user: User, code: str, session: UserSession) -> None:
    """Pass the second step of sign-in with a TOTP code or a recovery code (each recovery code works once)."""
    check_code(user, code, purpose="sign_in", recovery=True)
    session.mfa_verified_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.AUTH_MFA_VERIFY, actor=user, object_type="session", object_id=session.id)


def session_passed(user: User, session: UserSession | None) -> bool:
    """Say whether this session may go past the second-factor gate."""
    if not needed(user):
        return True
    return session is not None and session.mfa_verified_at is not None


def regenerate_recovery_codes(user: User, session: UserSession | None) -> list[str]:
    """Replace the user's recovery codes (after a recent step-up); return the new ones, shown once."""
    require_recent_auth(user, session)
    if not user.mfa_enrolled:
        raise ValidationFailed(_("Set up two-factor sign-in first."))
    codes = _new_recovery_codes(user)
    audit.record(
        AuditAction.AUTH_MFA_ENROL,
        actor=user,
        object_type="user",
        object_id=user.id,
        details={"recovery": "new"},
    )
    return codes


# Step-up --------------------------------------------------------------------------------------------------


def confirm_identity(user: User, password: str, code: str | None, purpose: str) -> None:
    """Check the password again and, where the user is enrolled, a fresh TOTP code (step-up).

    Both are checked before anything is written, and a wrong one counts once as a failed sign-in of the
    username (written and audited on its own); ValidationFailed names `password` or `code`.
    """
    if not user.mfa_enrolled:
        auth.confirm_password(user, password, field="password", purpose=purpose)
        return
    now = utcnow()
    key = auth.throttle_key(user.username)
    auth._refuse_while_held_back(key, now, password, user)
    if not passwords.verify_password(user.password_hash, password):
        auth.confirm_password(user, password, field="password", purpose=purpose)  # counts, audits, raises
    if not (code or "").strip():
        message = _("Enter the code from your authenticator app.")
        raise ValidationFailed(message, fields={"code": [message]})
    step = _fresh_step(user, code or "")
    if step is None or not _claim_step(user, step):
        raise _refuse(user, "code", purpose)
    auth._clear_failures(key)


def reauthenticate(user: User, password: str, code: str | None, session: UserSession) -> None:
    """Step up: confirm the identity and remember it on this session for the next few minutes."""
    confirm_identity(user, password, code, purpose="step_up")
    session.reauth_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.AUTH_REAUTH, actor=user, object_type="session", object_id=session.id)


def reset(actor: User | None, user: User, session: UserSession | None) -> None:
    """Clear a user's second factor (after the administrator's step-up); they enrol again at next sign-in.

    Their sessions and API tokens end: whoever held the lost device is out as well. The operator's shell
    (`actor` None) needs no step-up, as for `user create`.
    """
    if actor is not None:
        require_recent_auth(actor, session)
    user.mfa_secret = None
    user.mfa_kek_id = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    db.session.flush()
    audit.record(
        AuditAction.USER_MFA_RESET,
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"via": "web" if actor else "cli"},
    )
    auth.revoke_user_sessions(user, "mfa_reset")
    tokens.revoke_all_tokens(user)
