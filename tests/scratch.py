"""A test-only model with encrypted fields, on its own metadata (never part of the migrations)."""

from __future__ import annotations

import uuid

from sqlalchemy import Integer, LargeBinary, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from caseapp.extensions import db
from caseapp.models import DataKey
from caseapp.models.encrypted import EncryptedField


class ScratchBase(DeclarativeBase):
    metadata = MetaData()


class SecretNote(ScratchBase):
    __tablename__ = "scratch_secret_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    data_key_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20), default="general")  # plaintext statistic
    title_ct: Mapped[bytes | None] = mapped_column("title", LargeBinary)
    body_ct: Mapped[bytes | None] = mapped_column("body", LargeBinary)
    nik_ct: Mapped[bytes | None] = mapped_column("nik", LargeBinary)
    nik_bidx: Mapped[int | None] = mapped_column(Integer, index=True)

    title = EncryptedField("title_ct")
    body = EncryptedField("body_ct")
    nik = EncryptedField("nik_ct")

    def encryption_key(self) -> DataKey | None:
        return db.session.get(DataKey, self.data_key_id) if self.data_key_id else None


def create_tables() -> None:
    ScratchBase.metadata.create_all(db.engine)
