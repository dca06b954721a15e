"""Users and their server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.agency import Agency
from caseapp.security.permissions import ROLE_PERMISSIONS, Permission, Role


class User(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """A person who signs in; the role is their function, the agency their scope."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Two-factor sign-in (TOTP): the secret sealed under the KEK named beside it (services/mfa.py); set
    # while enrolling, confirmed at `mfa_enabled_at`; the last time step accepted, so no code is used twice.
    mfa_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    mfa_kek_id: Mapped[str | None] = mapped_column(String(16))
    mfa_enabled_at: Mapped[datetime | None]
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Two-person rule: an account an administrator gave a role that reads cases waits for a second person.
    approval_pending: Mapped[bool] = mapped_column(default=False)
    approval_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None]

    agency: Mapped[Agency] = relationship(lazy="joined")

    # Flask-Login protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active and not self.approval_pending

    @property
    def mfa_enrolled(self) -> bool:
        return self.mfa_enabled_at is not None

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def can(self, permission: Permission) -> bool:
        """Say whether this user's role grants the permission."""
        return self.is_active and permission in ROLE_PERMISSIONS.get(Role(self.role), frozenset())

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginThrottle(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """Consecutive failed sign-ins per typed username, existing or not, so both answer alike.

    Keyed by an HMAC of the normalised username (never the name itself, which may be a mistyped password).
    """

    __tablename__ = "login_throttle"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    next_allowed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserSession(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """A signed-in browser session, stored server-side so it can be expired and revoked."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random session token; the token itself lives only in the signed cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    # When this session passed the second factor (None: not yet, or not asked) and last re-confirmed its
    # password (and code) for a sensitive step (step-up).
    mfa_verified_at: Mapped[datetime | None]
    reauth_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class MfaRecoveryCode(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """One of a user's single-use recovery codes, stored as a SHA-256 hash (80 random bits each)."""

    __tablename__ = "mfa_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
