"""The blind index of children's names: keyed, truncated tokens of name parts (services/cases/names.py)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db


class CaseNameToken(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """One token of a child's name: a truncated HMAC of a trigram or word prefix (many names share it)."""

    __tablename__ = "case_name_token"
    __table_args__ = (Index("ix_case_name_token_case_id", "case_id"),)

    token: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
