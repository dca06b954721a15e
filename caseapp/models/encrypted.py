"""Encrypted model fields: a descriptor that seals and opens values with the record's data key.

A model declares the stored bytes column and the plaintext attribute side by side:

    name_ct: Mapped[bytes | None] = mapped_column("name", LargeBinary)
    name = EncryptedField("name_ct")

and implements `encryption_key()` returning the DataKey that protects it (its own, or its case's). Queries
never see plaintext: filter on plaintext columns or a blind index, then decrypt the few rows you show.

A value whose data key was shredded on purpose (retention: `crypto.KeyShredded`) reads as None, like a value
never recorded: it is gone, and every page and answer that shows it treats it so. Writing one still raises
(nothing can be sealed under a destroyed key); any other failure to decrypt is logged and raised.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Protocol

from sqlalchemy import inspect as sa_inspect

from caseapp.extensions import db
from caseapp.models.data_key import DataKey
from caseapp.security import crypto

log = logging.getLogger("caseapp.crypto")


class EncryptedRecord(Protocol):
    """What a model with encrypted fields provides."""

    uuid: Any
    __tablename__: str

    def encryption_key(self) -> DataKey | None: ...


class EncryptedField:
    """A plaintext attribute backed by an encrypted bytes column on the same model."""

    def __init__(self, column_attr: str) -> None:
        self.column_attr = column_attr
        self.name = column_attr

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def _column_name(self, owner: type) -> str:
        return str(sa_inspect(owner).attrs[self.column_attr].columns[0].name)

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is None:
            return self
        blob = getattr(instance, self.column_attr)
        if blob is None:
            return None
        key = instance.encryption_key()
        column = self._column_name(owner)
        if key is not None and key.shredded_at is not None and key.wrapped is None:
            return None  # destroyed on purpose (retention): nothing to read, nothing to log
        try:
            if key is None:
                raise crypto.DecryptionError("record has no data key")
            return crypto.decrypt_field(
                key.plaintext(),
                key.id,
                instance.__tablename__,
                column,
                str(instance.uuid),
                bytes(blob),
            )
        except crypto.DecryptionError as exc:
            # Say where and why, never the value or its ciphertext.
            log.error(
                "cannot decrypt %s.%s of row %s: %s", instance.__tablename__, column, instance.uuid, exc
            )
            raise

    def __set__(self, instance: Any, value: str | None) -> None:
        if value is None:
            setattr(instance, self.column_attr, None)
            return
        if not isinstance(value, str):
            raise TypeError(f"{self.name} takes text, not {type(value).__name__}")
        if instance.uuid is None:
            instance.uuid = uuid.uuid4()
        key = instance.encryption_key()
        if key is None:
            raise crypto.DecryptionError(f"{instance.__tablename__} has no data key to encrypt {self.name}")
        if key.id is None:
            db.session.flush([key])
        blob = crypto.encrypt_field(
            key.plaintext(),
            key.id,
            instance.__tablename__,
            self._column_name(type(instance)),
            str(instance.uuid),
            value,
        )
        setattr(instance, self.column_attr, blob)
