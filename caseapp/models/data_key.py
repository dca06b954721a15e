"""Per-record data keys (envelope encryption), stored only wrapped by a key-encryption key."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.database import utcnow
from caseapp.extensions import db


class DataKey(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """A record's own AES-256 key, wrapped under the KEK named by `kek_id`; NULL once shredded."""

    __tablename__ = "data_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    kek_id: Mapped[str | None] = mapped_column(String(16), index=True)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None]
    shredded_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<DataKey {self.id} kek={self.kek_id}>"
