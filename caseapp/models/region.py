"""Administrative regions by Kemendagri code (kota, kecamatan, kelurahan)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db


class Region(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """A province, city, kecamatan or kelurahan; keyed on its code, never its name."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.level}>"
