"""Attachments: documents and photos of a case, stored encrypted outside the database.

The row holds what scoping, statistics and storage need in plaintext (case, kind, detected type, size,
status, times) and the file's name and description encrypted under the file's own data key; the bytes are
in the attachment store (`caseapp.services.attachments.storage`), sealed chunk by chunk with the same key.
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


class AttachmentKind(StrEnum):
    VISUM = "visum"
    BAP = "bap"
    CONSENT = "consent"
    MEDICAL = "medical"
    SCHOOL = "school"
    PHOTO = "photo"
    COURT = "court"
    OTHER = "other"


class AttachmentStatus(StrEnum):
    """CLEAN: scanned (or no scanner configured: `scanned_at` stays empty) and served. QUARANTINED: the
    scanner was configured but could not be reached; not served until a rescan passes."""

    CLEAN = "clean"
    QUARANTINED = "quarantined"
    INFECTED = "infected"


class Attachment(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """One uploaded file of a case."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    data_key_id: Mapped[int] = mapped_column(ForeignKey("data_key.id"))
    kind: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    has_thumbnail: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default=AttachmentStatus.CLEAN.value)
    scanned_at: Mapped[datetime | None]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    name_ct: Mapped[bytes | None] = mapped_column("name", LargeBinary)
    description_ct: Mapped[bytes | None] = mapped_column("description", LargeBinary)
    delete_reason_ct: Mapped[bytes | None] = mapped_column("delete_reason", LargeBinary)

    name = EncryptedField("name_ct")
    description = EncryptedField("description_ct")
    delete_reason = EncryptedField("delete_reason_ct")

    case: Mapped[Case] = relationship()
    data_key: Mapped[DataKey] = relationship()
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id], lazy="joined")

    def encryption_key(self) -> DataKey | None:
        return self.data_key

    @property
    def object_key(self) -> str:
        """The stored file's name in the attachment store (no meaning beyond the row's uuid)."""
        return self.uuid.hex

    @property
    def thumbnail_key(self) -> str:
        return self.uuid.hex + ".thumb"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.kind} {self.status}>"
