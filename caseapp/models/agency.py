"""Agencies of the task force; a user belongs to exactly one."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db


class Agency(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """An agency (DP3A, UPTD PPA, Polresta, ...) identified by its reference code."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    accepts_referrals: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
