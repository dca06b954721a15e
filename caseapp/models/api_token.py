"""API bearer tokens, stored only as hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.user import User


class ApiToken(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """A personal API token: SHA-256 of a random secret, with expiry and revocation."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a user can tell their tokens apart; useless for guessing the rest.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"
