"""Appending to the audit log: in the caller's transaction, or in a short one of its own."""

from __future__ import annotations

import getpass
import json
import logging
from collections.abc import Iterable
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from caseapp.audit.actions import AuditAction, Outcome
from caseapp.audit.chain import GENESIS, compute_mac
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.audit_event import AuditEvent
from caseapp.security.keys import current_keyring
from caseapp.transaction import savepoint_scoped

# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises appends to the chain.
_APPEND_LOCK = 0x43415345_41554454  # "CASEAUDT"


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None and has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            actor = current_user._get_current_object()
    if actor is None:
        return {"actor_id": None, "actor_username": None, "actor_role": None, "actor_agency": None}
    return {
        "actor_id": actor.id,
        "actor_username": actor.username,
        "actor_role": actor.role,
        "actor_agency": actor.agency.code if actor.agency is not None else None,
    }


def _entry(
    action: AuditAction,
    actor: Any,
    object_type: str | None,
    object_id: Any,
    outcome: Outcome,
    changed_fields: Iterable[str] | None,
    details: dict[str, Any] | None,
    actor_username: str | None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        **_actor_fields(actor),
        "source_ip": request.remote_addr if has_request_context() else None,
        "action": AuditAction(action).value,
        "object_type": object_type,
        # An id may come from a URL: NUL cannot be stored in PostgreSQL text, so it is written visibly.
        "object_id": None if object_id is None else str(object_id).replace("\x00", "\\x00")[:64],
        "outcome": Outcome(outcome).value,
        "changed_fields": json.dumps(sorted(changed_fields)) if changed_fields else None,
        "details": json.dumps(details, sort_keys=True, ensure_ascii=False) if details else None,
        "request_id": g.get("request_id") if has_request_context() else None,
    }
    if entry["actor_username"] is None:
        if actor_username:
            entry["actor_username"] = actor_username[:64]
        elif not has_request_context():
            entry["actor_username"] = f"cli:{getpass.getuser()}"[:64]
    return entry


def append_entries(session: Session, entries: list[dict[str, Any]]) -> None:
    """Chain the entries to the last one and insert them, holding the append lock to the commit.

    Each entry has every chained field but `seq` and `occurred_at`, which are set here.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _APPEND_LOCK})
    else:
        # SQLite: take the database's write lock before reading the head of the chain, so that another
        # process cannot append between our read and our insert (a no-op write takes it; no row matches).
        connection.execute(text("DELETE FROM audit_event WHERE 0"))
    last = connection.execute(
        select(AuditEvent.seq, AuditEvent.mac).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_mac = (last.seq, last.mac) if last else (0, GENESIS)
    key = current_keyring().audit_key
    rows = []
    now = utcnow()
    for entry in entries:
        seq += 1
        entry = {**entry, "seq": seq, "occurred_at": now}
        mac = compute_mac(key, prev_mac, entry)
        rows.append({**entry, "prev_mac": prev_mac, "mac": mac})
        prev_mac = mac
    connection.execute(insert(AuditEvent), rows)


_PENDING = "caseapp_audit_pending"
_KEPT = "caseapp_audit_kept"


def _kept(session: Session, entry: dict[str, Any]) -> bool:
    return any(entry is kept for kept in session.info.get(_KEPT) or ())


# An entry recorded in a savepoint that rolls back goes with it (a case the retention job could not shred
# leaves no `keys.shred` behind), but for one recorded `keep_on_rollback`.
savepoint_scoped(_PENDING, keep=_kept)


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    """Chain what `record` collected, last thing before the commit: the append lock is held only briefly."""
    if session.in_nested_transaction():
        return  # a savepoint's release is not the commit
    session.info.pop(_KEPT, None)  # committed with the rest
    pending = session.info.pop(_PENDING, None)
    if pending:
        append_entries(session, pending)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: Any) -> None:
    """A rolled-back transaction takes its events with it, but for those recorded `keep_on_rollback`.

    Those are written now, in a short transaction of their own (the rolled-back one has released its
    connection, so SQLite's write lock is free). A committed transaction has none left.
    """
    if transaction.parent is not None:
        return
    session.info.pop(_PENDING, None)
    kept = session.info.pop(_KEPT, None)
    if kept:
        try:
            with Session(bind=session.get_bind()) as side, side.begin():
                append_entries(side, kept)
        except Exception:  # a rollback must not fail because of its epilogue; the log says what was lost
            logging.getLogger(__name__).exception("audit: %d kept entries could not be written", len(kept))


def record(
    action: AuditAction,
    *,
    actor: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    outcome: Outcome = Outcome.SUCCESS,
    changed_fields: Iterable[str] | None = None,
    details: dict[str, Any] | None = None,
    actor_username: str | None = None,
    keep_on_rollback: bool = False,
) -> None:
    """Append an event in the current transaction: it commits or rolls back with the change it records.

    The entry is chained when the transaction commits (before its COMMIT, in it), so the append lock is held
    for the commit only, not for the rest of the request. `actor` defaults to the signed-in user. `details`
    must hold nothing sensitive (codes, counts, filters). `keep_on_rollback` is for look-ups that must stay
    on record even when the request ends refused (a duplicate-NIK check answered with a warning page).
    """
    entry = _entry(action, actor, object_type, object_id, outcome, changed_fields, details, actor_username)
    info = db.session().info
    info.setdefault(_PENDING, []).append(entry)
    if keep_on_rollback:
        info.setdefault(_KEPT, []).append(entry)


def record_separately(
    action: AuditAction,
    *,
    actor: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    outcome: Outcome = Outcome.DENIED,
    changed_fields: Iterable[str] | None = None,
    details: dict[str, Any] | None = None,
    actor_username: str | None = None,
) -> None:
    """Append an event in a short transaction of its own, so it survives the caller's rollback.

    For denials and refusals. Call it when the request has no uncommitted writes (SQLite has one writer).
    """
    entry = _entry(action, actor, object_type, object_id, outcome, changed_fields, details, actor_username)
    with Session(bind=db.engine) as session, session.begin():
        append_entries(session, [entry])
