"""Data keys: create, rotate under the current KEK, shred (opening one is `DataKey.plaintext`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import bindparam, select, update

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.data_key import DataKey
from caseapp.security import crypto
from caseapp.security.keys import current_keyring as keyring


def create_data_key() -> DataKey:
    """Create a new data key, wrapped under the current KEK, and add it to the session."""
    ring = keyring()
    row = DataKey(uuid=uuid.uuid4())
    dek = crypto.new_data_key()
    row.kek_id = ring.current_kek_id
    row.wrapped = crypto.wrap_key(ring.kek(ring.current_kek_id), ring.current_kek_id, str(row.uuid), dek)
    row.remember_plaintext(dek)
    db.session.add(row)
    db.session.flush([row])
    return row


def shred(row: DataKey, actor: object = None) -> None:
    """Destroy a data key: every value sealed with it becomes unreadable for good.

    Plaintext statistics on the owning record stay. PostgreSQL keeps dead row versions until VACUUM and
    backups keep old copies: run VACUUM and age out backups for the shredding to be complete.
    """
    row.wrapped = None
    row.kek_id = None
    row.shredded_at = utcnow()
    row.forget_plaintext()
    db.session.flush([row])
    audit.record(AuditAction.KEYS_SHRED, actor=actor, object_type="data_key", object_id=row.id)


def pending_rotation_count() -> int:
    """Return how many live data keys are wrapped under a KEK other than the current one."""
    current = keyring().current_kek_id
    stmt = (
        db.select(db.func.count())
        .select_from(DataKey)
        .where(DataKey.kek_id.is_not(None), DataKey.kek_id != current)
    )
    return int(db.session.scalar(stmt) or 0)


def rotate_batch(batch_size: int = 5000, after_id: int = 0) -> tuple[int, int]:
    """Rewrap up to batch_size data keys (with ids above `after_id`) under the current KEK; return how many
    were rewrapped and the last id looked at (0 when there were none).

    Each batch is its own unit (the caller commits); keys already under the current KEK are skipped,
    so an interrupted rotation resumes where it stopped and a repeated one does nothing. Core statements
    (one SELECT, one executemany UPDATE): rotation touches every key, the ORM's bookkeeping is its cost.
    The caller passes the last id on, so no batch rescans the keys the earlier ones rewrapped.
    """
    ring = keyring()
    current = ring.current_kek_id
    table = DataKey.__table__
    rows = db.session.execute(
        select(table.c.id, table.c.uuid, table.c.kek_id, table.c.wrapped)
        .where(table.c.id > after_id, table.c.kek_id.is_not(None), table.c.kek_id != current)
        .order_by(table.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return 0, 0
    ciphers: dict[str, AESGCM] = {}

    def cipher(kek_id: str) -> AESGCM:
        if kek_id not in ciphers:
            try:
                ciphers[kek_id] = AESGCM(ring.kek(kek_id))
            except KeyError as exc:
                raise crypto.DecryptionError(str(exc)) from None
        return ciphers[kek_id]

    new_kek = cipher(current)
    changes = []
    for row in rows:
        key_uuid = str(row.uuid)
        dek = crypto.unwrap_with(cipher(row.kek_id), row.kek_id, key_uuid, bytes(row.wrapped))
        changes.append({"b_id": row.id, "b_wrapped": crypto.wrap_with(new_kek, current, key_uuid, dek)})
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(wrapped=bindparam("b_wrapped"), kek_id=current, rotated_at=utcnow()),
        changes,
    )
    return len(rows), int(rows[-1].id)


def rotate_all(batch_size: int = 5000, on_batch: Callable[[int], None] | None = None) -> int:
    """Rewrap every data key under the current KEK, committing after each batch; return the total."""
    total, last_id = 0, 0
    while True:
        done, last_id = rotate_batch(batch_size, last_id)
        db.session.commit()
        if not done:
            return total
        total += done
        if on_batch is not None:
            on_batch(done)
