"""Exports built in the background: who asked, for what, how far the job got, and the finished file.

The parameters are a report kind, a period and a file format: nothing that identifies anyone. The finished
file holds case-level data, so it never rests in the clear: `content` is the file sealed chunk by chunk
(AES-256-GCM, `security/crypto.py` `encrypt_chunks`, bound to the job's uuid) under a data key of its own,
wrapped by the KEK. When the file expires the content is deleted and the data key shredded, so a copy left
in a backup or a dead PostgreSQL row version cannot be opened either.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.data_key import DataKey
from caseapp.models.user import User


class ExportStatus(StrEnum):
    """Where an export job stands: queued until a worker claims it, then running, then one of the ends."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


class ExportKind(StrEnum):
    """The reports an export job can build."""

    SIMFONI = "simfoni"


class ExportJob(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """One export asked for by a user, built by the `exports.build` job."""

    __tablename__ = "export_job"
    __table_args__ = (Index("ix_export_job_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    locale: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=ExportStatus.QUEUED.value)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(100))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    data_key_id: Mapped[int | None] = mapped_column(ForeignKey("data_key.id"))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    requested_by: Mapped[User] = relationship()
    data_key: Mapped[DataKey | None] = relationship()

    @property
    def percent(self) -> int:
        """Return how far the build got, 0 to 100 (100 once done)."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    def __repr__(self) -> str:
        return f"<ExportJob {self.id} {self.kind} {self.status}>"
