"""Per-record data keys (envelope encryption), stored only wrapped by a key-encryption key.

Opening a key (unwrapping it under its KEK) lives here, beside the row, so that encrypted fields can read
and write without the services layer; creating, rotating and shredding keys is `caseapp.services.data_keys`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.security import crypto
from caseapp.security.keys import current_keyring

# The unwrapped key, cached on the instance (never a mapped column) beside the wrapped form it came from.
_PLAIN_ATTR = "_caseapp_plain_key"


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

    def plaintext(self) -> bytes:
        """Return the unwrapped data key (cached on the instance while its wrapped form is unchanged)."""
        if self.wrapped is None or self.kek_id is None:
            raise crypto.KeyShredded(f"data key {self.id} was shredded")
        cached = getattr(self, _PLAIN_ATTR, None)
        if cached is not None and cached[0] == self.wrapped:
            return bytes(cached[1])
        try:
            kek = current_keyring().kek(self.kek_id)
        except KeyError as exc:
            raise crypto.DecryptionError(str(exc)) from None
        dek = crypto.unwrap_key(kek, self.kek_id, str(self.uuid), bytes(self.wrapped))
        self.remember_plaintext(dek)
        return dek

    def remember_plaintext(self, dek: bytes) -> None:
        """Cache the key just wrapped (a new key need not be unwrapped again in this request)."""
        setattr(self, _PLAIN_ATTR, (self.wrapped, dek))

    def forget_plaintext(self) -> None:
        """Drop the cached key (shredding)."""
        if hasattr(self, _PLAIN_ATTR):
            delattr(self, _PLAIN_ATTR)

    def __repr__(self) -> str:
        return f"<DataKey {self.id} kek={self.kek_id}>"
