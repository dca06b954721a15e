"""The audit log's anchor: signed checkpoints of the chain's head, kept outside the database.

The chain (`chain.py`) shows an edited, inserted or deleted event, but not the newest events removed (or the
whole tail rewritten by someone holding the MAC key): a shorter chain is still a valid chain. A checkpoint
records the head (its sequence number and MAC) and when, signed with an Ed25519 key that the database never
holds, and is appended to a file outside the database (`CASEAPP_AUDIT_CHECKPOINT_FILE`). `audit verify`
then checks every checkpoint's signature and that the log still holds each checkpointed event with the same
MAC: removing or replacing anything up to the last checkpoint fails. An outside party holding only the
public key (`flask --app wsgi audit public-key`) can check the checkpoints (`audit verify --public-key`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import func, select

from caseapp.audit.verify import VerifyResult, verify_chain
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.audit_event import AuditEvent
from caseapp.security.keys import KeyConfigError


class CheckpointError(RuntimeError):
    """A checkpoint cannot be written or read (the message says why, never a key)."""


@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at a moment, signed."""

    seq: int
    mac: str
    at: str  # ISO 8601, UTC
    key_id: str  # the signing key's fingerprint
    signature: str = ""

    def payload(self) -> bytes:
        """The signed bytes: every field but the signature, canonical JSON."""
        fields = {"seq": self.seq, "mac": self.mac, "at": self.at, "key_id": self.key_id}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    @property
    def taken_at(self) -> datetime:
        """When the checkpoint was taken (naive UTC, as the database keeps times)."""
        return datetime.fromisoformat(self.at.removesuffix("Z"))


def _private_key() -> Ed25519PrivateKey:
    key = current_app.extensions.get("caseapp.audit_signing_key")
    if key is None:
        raise KeyConfigError(
            "CASEAPP_AUDIT_SIGNING_KEY is not set: run `make run` once (development) or set it "
            "(`flask --app wsgi keys generate` prints one)"
        )
    return key


def key_id(public: Ed25519PublicKey) -> str:
    """Return a short fingerprint of a public key (the first 16 hex digits of SHA-256 of its raw bytes)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem() -> str:
    """Return the public key that checks this application's checkpoints, as PEM."""
    public = _private_key().public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Read a PEM public key (an outside party's copy); raise CheckpointError if it is not Ed25519."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError("the public key is not an Ed25519 key")
    return key


def checkpoint_path() -> Path:
    """Return the checkpoint file of this application."""
    return Path(str(current_app.config["CASEAPP_AUDIT_CHECKPOINT_FILE"]))


def write_checkpoint() -> Checkpoint:
    """Sign the chain's current head and append it to the checkpoint file (created 0600)."""
    private = _private_key()
    head = db.session.execute(
        select(AuditEvent.seq, AuditEvent.mac).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if head is None:
        raise CheckpointError("the audit log is empty: nothing to checkpoint")
    at = utcnow().isoformat(timespec="seconds") + "Z"
    unsigned = Checkpoint(int(head.seq), str(head.mac), at, key_id(private.public_key()))
    signature = base64.b64encode(private.sign(unsigned.payload())).decode()
    checkpoint = Checkpoint(unsigned.seq, unsigned.mac, at, unsigned.key_id, signature)
    path = checkpoint_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write(json.dumps(asdict(checkpoint), sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return checkpoint


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """Return every checkpoint of the file (none if it does not exist); a malformed line raises."""
    path = path or checkpoint_path()
    if not path.exists():
        return []
    out = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            out.append(
                Checkpoint(
                    int(data["seq"]),
                    str(data["mac"]),
                    str(data["at"]),
                    str(data["key_id"]),
                    str(data["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise CheckpointError(f"{path}: line {number} is not a checkpoint") from None
    return out


def last_checkpoint() -> Checkpoint | None:
    """Return the newest checkpoint, or None (also when the file cannot be read: the page says so)."""
    try:
        checkpoints = read_checkpoints()
    except (CheckpointError, OSError):
        return None
    return checkpoints[-1] if checkpoints else None


def _signed(checkpoint: Checkpoint, public: Ed25519PublicKey) -> bool:
    try:
        public.verify(base64.b64decode(checkpoint.signature), checkpoint.payload())
    except (InvalidSignature, ValueError):
        return False
    return True


def check_checkpoints(checkpoints: list[Checkpoint], public: Ed25519PublicKey, checked: int) -> VerifyResult:
    """Check each checkpoint's signature, and that the log still holds each checkpointed event unchanged."""
    newest = int(db.session.scalar(select(func.max(AuditEvent.seq))) or 0)
    for number, checkpoint in enumerate(checkpoints, start=1):
        if not _signed(checkpoint, public):
            return VerifyResult(
                False, checked, checkpoint.seq, f"checkpoint {number} is not signed by this key"
            )
        mac = db.session.scalar(select(AuditEvent.mac).where(AuditEvent.seq == checkpoint.seq))
        if mac is None:
            problem = (
                f"events removed: checkpoint {number} ({checkpoint.at}) covers seq {checkpoint.seq}, "
                f"the log ends at seq {newest}"
            )
            return VerifyResult(False, checked, checkpoint.seq, problem)
        if mac != checkpoint.mac:
            problem = f"event replaced: it differs from checkpoint {number} ({checkpoint.at})"
            return VerifyResult(False, checked, checkpoint.seq, problem)
    anchored = checkpoints[-1].seq if checkpoints else None
    return VerifyResult(True, checked, anchored_seq=anchored, checkpoints=len(checkpoints))


def verify_anchored(
    on_progress: Callable[[int], None] | None = None, public: Ed25519PublicKey | None = None
) -> VerifyResult:
    """Verify the chain, then every checkpoint (with `public`, or this application's own key)."""
    result = verify_chain(on_progress=on_progress)
    if not result.ok:
        return result
    checkpoints = read_checkpoints()
    if not checkpoints:
        return result
    return check_checkpoints(checkpoints, public or _private_key().public_key(), result.checked)


def record_checkpoint(actor_username: str) -> Checkpoint:
    """Write a checkpoint and audit it (in the caller's unit of work): the command's and the job's work."""
    from caseapp.audit.actions import AuditAction
    from caseapp.audit.log import record

    checkpoint = write_checkpoint()
    record(
        AuditAction.AUDIT_CHECKPOINT,
        object_type="audit_log",
        object_id=checkpoint.seq,
        details={"seq": checkpoint.seq, "key_id": checkpoint.key_id},
        actor_username=actor_username,
    )
    return checkpoint
