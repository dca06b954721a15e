"""The case-management practice around a case: assessments (and, as they come, care plans, conferences).

Categories, levels and dates are plaintext codes (for queues and statistics); what a worker writes about
the child (reasons, summaries) is encrypted under the case's data key, like the case's narrative.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.case import Case
from caseapp.models.data_key import DataKey
from caseapp.models.encrypted import EncryptedField
from caseapp.models.user import User


class Answer(StrEnum):
    """A safety question's answer."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class NeedDomain(StrEnum):
    """The domains of a child's needs an assessment looks at."""

    HEALTH = "health"
    PSYCHOLOGICAL = "psychological"
    EDUCATION = "education"
    LEGAL = "legal"
    FAMILY = "family"
    ECONOMIC = "economic"


class Assessment(db.Model):  # type: ignore[name-defined]
    """One assessment of a case's child; a revision is a new row, the newest is the case's assessment."""

    __tablename__ = "case_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    perpetrator_has_access: Mapped[str] = mapped_column(String(10))
    safe_tonight: Mapped[str] = mapped_column(String(10))
    needs: Mapped[str] = mapped_column(String(200), default="")  # NeedDomain codes, comma-separated
    risk_level: Mapped[str] = mapped_column(String(10))
    risk_reasons_ct: Mapped[bytes | None] = mapped_column("risk_reasons", LargeBinary)
    summary_ct: Mapped[bytes | None] = mapped_column("summary", LargeBinary)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]

    risk_reasons = EncryptedField("risk_reasons_ct")
    summary = EncryptedField("summary_ct")

    case: Mapped[Case] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")

    @property
    def need_codes(self) -> list[str]:
        return [n for n in self.needs.split(",") if n]

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key
