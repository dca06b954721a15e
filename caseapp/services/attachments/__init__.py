"""Attachments of a case: upload, list, download, preview, delete, rescan and shred.

Every function takes the acting user, reaches cases through `visible_cases` (or a referral that shares
the `attachments` section), audits in the same transaction, flushes and never commits. Each file gets its
own data key (a `DataKey` row, wrapped under the KEK like a case's, so `keys rotate` rewraps it and
shredding it destroys the file); the bytes are sealed chunk by chunk (`crypto.encrypt_chunks`) before they
reach the store (`storage`). The store is written before the transaction commits; a rollback removes what
the transaction wrote, a savepoint's rollback what the savepoint wrote (and an object left behind by a crash
is unreadable: its key was never committed). A
shredded case's files are removed after the commit, so a rollback leaves them with the keys that read them.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid as uuid_mod
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from caseapp import audit
from caseapp.audit import AuditAction, Outcome
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, NotFound, TooLarge, ValidationFailed
from caseapp.extensions import db
from caseapp.models import Agency, Case, DataKey, Referral, User
from caseapp.models.attachment import Attachment, AttachmentStatus
from caseapp.models.referral import Section
from caseapp.schemas.attachments import AttachmentDeleteIn, AttachmentIn, AttachmentOut
from caseapp.security import crypto
from caseapp.security.permissions import Permission
from caseapp.services import data_keys
from caseapp.services.access import record_denial
from caseapp.services.attachments import content, scanner
from caseapp.services.attachments.storage import AttachmentStore, StorageError, current_store
from caseapp.services.cases.rules import CaseStep, check
from caseapp.services.referrals.access import may_read_shared
from caseapp.services.scoping import find_in_scope, visible_cases
from caseapp.transaction import savepoint_scoped

__all__ = [
    "Readable",
    "as_out",
    "case_attachments",
    "delete",
    "download",
    "list_for_api",
    "readable",
    "rescan_quarantined",
    "shared_attachments",
    "shred_case_attachments",
    "storage_usage",
    "thumbnail",
    "upload",
]

log = logging.getLogger("caseapp.attachments")
MAX_NAME = 150
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _limit() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or 20 * 1024 * 1024)


def _chunk_size() -> int:
    return int(current_app.config.get("ATTACHMENT_CHUNK_BYTES") or 64 * 1024)


def _read_limited(stream: IO[bytes]) -> bytes:
    """Read the upload, refusing it (413) as soon as it passes the size limit."""
    limit, size = _limit(), 0
    parts: list[bytes] = []
    while True:
        piece = stream.read(1024 * 1024)
        if not piece:
            return b"".join(parts)
        size += len(piece)
        if size > limit:
            raise TooLarge(
                _("The file is larger than the limit of %(mb)s MB.", mb=f"{limit / (1024 * 1024):g}"),
                fields={"file": [_("The file is too large.")]},
            )
        parts.append(piece)


def clean_name(filename: str | None, content_type: str) -> str:
    """Return a safe display and download name: no path, no control characters, the real extension."""
    base = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE_NAME.sub("_", base).strip(" .")[:MAX_NAME] or "dokumen"
    ext = content.EXTENSIONS.get(content_type, "")
    stem, dot, given = base.rpartition(".")
    if dot and ("." + given.lower()) in (ext, ".jpeg" if ext == ".jpg" else ext):
        return base
    return (stem if dot else base) + ext


def _remove_objects(session: Session, written: list[tuple[AttachmentStore, str]]) -> None:
    for store, key in written:
        try:
            store.delete(key)
        except StorageError:  # unreadable anyway: its data key was rolled back with the row
            log.warning("could not remove object %s after a rollback", key)


# Objects written in this transaction: a rollback removes them again (their keys never existed). A savepoint
# that rolls back removes those written inside it only; one released leaves them to the transaction around it.
_WRITTEN = savepoint_scoped("caseapp.attachments_written", dropped=_remove_objects)


def _remember_written(store: AttachmentStore, key: str) -> None:
    """Note an object written in this transaction: a rollback removes it again (its key never existed)."""
    db.session().info.setdefault(_WRITTEN, []).append((store, key))


@event.listens_for(Session, "after_commit")
def _forget_written(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release is not the commit
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_written(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # ended without the commit (which forgot them): rolled back or closed
        _remove_objects(session, session.info.pop(_WRITTEN, []))


# Objects to remove once the transaction commits (a shredded case's files): removed before, a rollback
# would leave rows naming files that are gone. A savepoint that rolls back keeps its case's files.
_DOOMED = savepoint_scoped("caseapp.attachments_doomed")


def _remove_after_commit(store: AttachmentStore, key: str) -> None:
    db.session().info.setdefault(_DOOMED, []).append((store, key))


@event.listens_for(Session, "after_commit")
def _remove_doomed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release is not the commit
    for store, key in session.info.pop(_DOOMED, []):
        try:
            store.delete(key)
        except StorageError:  # unreadable anyway: its data key was shredded in the committed transaction
            log.warning("could not remove object %s of a shredded attachment", key)


@event.listens_for(Session, "after_transaction_end")
def _forget_doomed(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_DOOMED, None)  # rolled back: the files stay with their rows


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _refuse(actor: User, case: Case, reason: str, details: dict[str, Any]) -> None:
    audit.record(
        AuditAction.ATTACHMENT_REFUSE,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        outcome=Outcome.DENIED,
        details=details,
        keep_on_rollback=True,
    )
    raise ValidationFailed(reason, fields={"file": [reason]})


def upload(
    actor: User, case: Case, value: AttachmentIn, filename: str | None, stream: IO[bytes]
) -> Attachment:
    """Check, scan, re-encode, encrypt and store a file of a visible case; return its row.

    413 (`TooLarge`) past the size limit; 400 (`ValidationFailed` on `file`) for a refused type or
    malware. With the scanner configured but unreachable the file is kept in quarantine (not served).
    """
    check(actor, case, CaseStep.ATTACH)
    data = _read_limited(stream)
    verdict = scanner.scan(data, current_app.config)
    if verdict.verdict is scanner.Verdict.INFECTED:
        current_app.logger.warning("attachment refused: malware %s on case %s", verdict.signature, case.uuid)
        _refuse(
            actor,
            case,
            _("The malware scanner found %(name)s in this file: it is refused.", name=verdict.signature),
            {"reason": "malware", "signature": (verdict.signature or "")[:80]},
        )
    try:
        prepared = content.prepare(data)
    except content.Refused as exc:
        _refuse(actor, case, exc.reason, {"reason": "type", "detected": exc.detected[:60]})
        raise  # unreachable: _refuse raises
    status = AttachmentStatus.CLEAN
    scanned_at = utcnow() if verdict.verdict is scanner.Verdict.CLEAN else None
    if verdict.verdict is scanner.Verdict.UNAVAILABLE:
        current_app.logger.error("malware scanner unavailable (%s): attachment quarantined", verdict.problem)
        status = AttachmentStatus.QUARANTINED
    key = data_keys.create_data_key()
    row = Attachment(
        uuid=uuid_mod.uuid4(),
        case_id=case.id,
        data_key=key,
        kind=value.kind.value,
        content_type=prepared.content_type,
        size=len(prepared.data),
        has_thumbnail=prepared.thumbnail is not None,
        status=status.value,
        scanned_at=scanned_at,
        uploaded_by_id=actor.id,
        uploaded_at=utcnow(),
    )
    row.name = clean_name(filename, prepared.content_type)
    row.description = value.description or None
    db.session.add(row)
    db.session.flush([row])
    dek, store = key.plaintext(), current_store()
    _remember_written(store, row.object_key)
    store.put(
        row.object_key, crypto.encrypt_chunks(dek, str(row.uuid), _pieces(prepared.data, _chunk_size()))
    )
    if prepared.thumbnail is not None:
        _remember_written(store, row.thumbnail_key)
        store.put(
            row.thumbnail_key,
            crypto.encrypt_chunks(dek, f"{row.uuid}:thumbnail", _pieces(prepared.thumbnail, _chunk_size())),
        )
    audit.record(
        AuditAction.ATTACHMENT_UPLOAD,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={
            "attachment": str(row.uuid),
            "kind": row.kind,
            "content_type": row.content_type,
            "size": row.size,
            "status": row.status,
        },
    )
    return row


def as_out(row: Attachment) -> AttachmentOut:
    """Return the answer shape of an attachment (decrypting its name and description)."""
    return AttachmentOut(
        id=row.uuid,
        kind=row.kind,  # type: ignore[arg-type]  # validated into the enum
        name=row.name,
        description=row.description,
        content_type=row.content_type,
        size=row.size,
        status=row.status,  # type: ignore[arg-type]
        has_thumbnail=row.has_thumbnail,
        uploaded_by=row.uploaded_by.username,
        uploaded_at=row.uploaded_at,
    )


def case_attachments(case: Case) -> list[Attachment]:
    """Return the attachments of a case already opened through scope, newest first (not the deleted)."""
    stmt = (
        select(Attachment)
        .where(Attachment.case_id == case.id, Attachment.deleted_at.is_(None))
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    )
    return list(db.session.scalars(stmt))


def list_for_api(actor: User, case: Case) -> list[Attachment]:
    """Return a visible case's attachments (audited: the list names files)."""
    rows = case_attachments(case)
    audit.record(
        AuditAction.ATTACHMENT_LIST,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"count": len(rows)},
    )
    return rows


def shared_attachments(referral: Referral) -> list[Attachment] | None:
    """Return the attachments a referral shares (None: the section was not ticked)."""
    if Section.ATTACHMENTS.value not in referral.sections:
        return None
    return case_attachments(referral.case)


@dataclass(frozen=True)
class Readable:
    """An attachment the user may read, and the referral through which they may (None: their own case)."""

    attachment: Attachment
    referral: Referral | None


def readable(actor: User, attachment_id: Any) -> Readable:
    """Open an attachment the user may read: its case is visible to them, or a referral they may read shares
    the attachments section. Anything else is a 404 (the attempt is audited)."""
    return find_in_scope(actor, attachment_id, partial(_readable, actor), object_type="attachment")


def _readable(actor: User, uid: uuid_mod.UUID) -> Readable | None:
    row = db.session.scalar(select(Attachment).where(Attachment.uuid == uid, Attachment.deleted_at.is_(None)))
    if row is None:
        return None
    own = db.session.scalar(visible_cases(actor).where(Case.id == row.case_id).with_only_columns(Case.id))
    if own is not None:
        return Readable(row, None)
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.case_id == row.case_id, Referral.to_agency_id == actor.agency_id)
        .order_by(Referral.id.desc())
    )
    for referral in referrals:
        if Section.ATTACHMENTS.value in referral.sections and may_read_shared(actor, referral):
            return Readable(row, referral)
    return None


def _open(row: Attachment, key: str, file_id: str) -> bytes:
    """Read and decrypt a stored object; a shredded file is gone (404), a damaged or missing one is an
    integrity failure (DecryptionError: logged, answered as an unreadable record)."""
    if row.data_key.wrapped is None:
        raise NotFound()
    try:
        dek = row.data_key.plaintext()
        try:
            stored = current_store().get(key)
        except StorageError as exc:
            raise crypto.DecryptionError(str(exc)) from None
        return b"".join(crypto.decrypt_chunks(dek, file_id, stored))
    except crypto.DecryptionError as exc:
        current_app.logger.error("cannot decrypt attachment %s: %s", row.uuid, exc)
        raise


def _servable(row: Attachment) -> None:
    if row.status == AttachmentStatus.QUARANTINED.value:
        raise InvalidTransition(
            _("This file waits for the malware scan and cannot be opened yet. Try again later.")
        )
    if row.status != AttachmentStatus.CLEAN.value:
        raise NotFound()


def download(actor: User, attachment_id: Any) -> tuple[Attachment, bytes]:
    """Return a readable attachment and its decrypted bytes (audited)."""
    found = readable(actor, attachment_id)
    row = found.attachment
    _servable(row)
    data = _open(row, row.object_key, str(row.uuid))
    details: dict[str, Any] = {"attachment": str(row.uuid), "kind": row.kind}
    if found.referral is not None:
        details["referral"] = found.referral.id
    audit.record(
        AuditAction.ATTACHMENT_DOWNLOAD,
        actor=actor,
        object_type="case",
        object_id=row.case.uuid,
        details=details,
    )
    return row, data


def thumbnail(actor: User, attachment_id: Any) -> bytes:
    """Return the small JPEG preview of a readable image (audited as a preview)."""
    found = readable(actor, attachment_id)
    row = found.attachment
    _servable(row)
    if not row.has_thumbnail:
        raise NotFound()
    data = _open(row, row.thumbnail_key, f"{row.uuid}:thumbnail")
    details: dict[str, Any] = {"attachment": str(row.uuid)}
    if found.referral is not None:
        details["referral"] = found.referral.id
    audit.record(
        AuditAction.ATTACHMENT_PREVIEW,
        actor=actor,
        object_type="case",
        object_id=row.case.uuid,
        details=details,
    )
    return data


def delete(actor: User, attachment_id: Any, value: AttachmentDeleteIn) -> Attachment:
    """Soft-delete an attachment of a visible case with a reason (supervisors); it leaves every list."""
    found = readable(actor, attachment_id)
    row = found.attachment
    if found.referral is not None:
        record_denial(actor, Permission.ATTACHMENT_DELETE, object_type="attachment", object_id=str(row.uuid))
        raise NotFound()
    check(actor, row.case, CaseStep.DELETE_ATTACHMENT)
    row.deleted_at = utcnow()
    row.deleted_by_id = actor.id
    row.delete_reason = value.reason
    db.session.flush([row])
    audit.record(
        AuditAction.ATTACHMENT_DELETE,
        actor=actor,
        object_type="case",
        object_id=row.case.uuid,
        details={"attachment": str(row.uuid), "kind": row.kind},
    )
    return row


def shred_case_attachments(case: Case, actor: object = None) -> int:
    """Crypto-shred every attachment of a case (retention): destroy each file's data key, and remove the
    stored objects once the transaction commits (a rollback leaves them with their keys). The rows stay
    (kind, type, size for statistics); the files are gone for good."""
    rows = list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)))
    store = current_store()
    for row in rows:
        if row.data_key.wrapped is not None:
            data_keys.shred(row.data_key, actor)
        _remove_after_commit(store, row.object_key)
        _remove_after_commit(store, row.thumbnail_key)
    return len(rows)


def rescan_quarantined(limit: int = 100) -> dict[str, int]:
    """Scan the files kept in quarantine while the scanner was down: clean ones are released, infected ones
    shredded; ones the scanner still cannot answer stay. Returns the counts (for the command line)."""
    counts = {"clean": 0, "infected": 0, "waiting": 0}
    stmt = (
        select(Attachment)
        .where(Attachment.status == AttachmentStatus.QUARANTINED.value)
        .order_by(Attachment.id)
        .limit(limit)
    )
    for row in db.session.scalars(stmt).all():
        data = _open(row, row.object_key, str(row.uuid))
        verdict = scanner.scan(data, current_app.config)
        if verdict.verdict is scanner.Verdict.INFECTED:
            row.status = AttachmentStatus.INFECTED.value
            row.scanned_at = utcnow()
            data_keys.shred(row.data_key)
            current_store().delete(row.object_key)
            current_store().delete(row.thumbnail_key)
            counts["infected"] += 1
        elif verdict.verdict is scanner.Verdict.CLEAN:
            row.status = AttachmentStatus.CLEAN.value
            row.scanned_at = utcnow()
            counts["clean"] += 1
        else:
            counts["waiting"] += 1
            continue
        audit.record(
            AuditAction.ATTACHMENT_SCAN,
            object_type="attachment",
            object_id=str(row.uuid),
            details={"status": row.status, "signature": (verdict.signature or "")[:80] or None},
        )
    db.session.flush()
    return counts


@dataclass(frozen=True)
class Usage:
    agency_code: str
    agency_name: str
    files: int
    bytes: int


def storage_usage() -> list[Usage]:
    """Return how many attachment files and bytes each agency's cases hold (soft-deleted ones included:
    they are still stored; shredded ones not)."""
    stmt = (
        select(
            Agency.code, Agency.name, func.count(Attachment.id), func.coalesce(func.sum(Attachment.size), 0)
        )
        .join(Case, Case.owner_agency_id == Agency.id)
        .join(Attachment, Attachment.case_id == Case.id)
        .join(DataKey, DataKey.id == Attachment.data_key_id)
        .where(Attachment.status != AttachmentStatus.INFECTED.value, DataKey.wrapped.is_not(None))
        .group_by(Agency.code, Agency.name)
        .order_by(Agency.code)
    )
    return [Usage(code, name, int(n), int(size)) for code, name, n, size in db.session.execute(stmt)]
