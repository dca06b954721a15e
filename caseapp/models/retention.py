"""Retention: a legal hold keeps a closed case from being shredded (`caseapp.services.retention`).

A hold is its own row, so that placing and lifting stay on record with who and when; the reasons are
encrypted under the case's data key (a court or litigation reference can identify a child). A case is held
while one of its holds is not lifted.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.case import Case
from caseapp.models.data_key import DataKey
from caseapp.models.encrypted import EncryptedField
from caseapp.models.user import User


class LegalHold(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """A legal hold on a case: placed with a reason, lifted with a reason (open while not lifted)."""

    __tablename__ = "legal_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason_ct: Mapped[bytes | None] = mapped_column("reason", LargeBinary)
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lift_reason_ct: Mapped[bytes | None] = mapped_column("lift_reason", LargeBinary)

    reason = EncryptedField("reason_ct")
    lift_reason = EncryptedField("lift_reason_ct")

    case: Mapped[Case] = relationship()
    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id], lazy="joined")
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id], lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key

    def __repr__(self) -> str:
        return f"<LegalHold {self.id} case={self.case_id} {'active' if self.is_active else 'lifted'}>"
