"""Closed vocabularies from the national taxonomies (violence types, places, services, ...)."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db


class ReferenceCode(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """One code of one vocabulary; the API speaks codes, the interface shows the label of its language."""

    __tablename__ = "reference_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(60))
    label_id: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    # e.g. the typical provider kind of a service
    extra: Mapped[str | None] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("vocabulary", "code", name="uq_reference_code_vocabulary_code"),)

    def label(self, locale: str) -> str:
        """Return the label in the given language (Indonesian unless English is asked for)."""
        return self.label_en if locale == "en" else self.label_id

    def __repr__(self) -> str:
        return f"<ReferenceCode {self.vocabulary}:{self.code}>"
