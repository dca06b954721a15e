"""Retention: years after a case ends, the child's identity is removed for good; its statistics stay.

**Policy.** A case is due when it has been closed or cancelled for at least `CASE_RETENTION_YEARS` (5 by
default; 0 turns retention off) counted from `closed_at` (a reopened case has none until it closes again),
is under no legal hold, and has no open legal proceedings (`proceedings.proceedings_open`: from the first
milestone until a verdict or another ending, and `LEGAL_PROCEEDINGS_OPEN_DAYS` after the latest one).

**Shredding** one case (`shred_case`, one audited change, `case.shred`, by the job: no user) destroys the
case's data key (every sealed value of the case, its parties, notes, services, referrals, plans, milestones
and the rest becomes unreadable for good), crypto-shreds its attachments, shreds the data key of the
complaint it was registered from, deletes its name tokens, clears its NIK blind index and the sealed columns
of its own row, and marks it (`shredded_at`). The plaintext codes stay (sex, age group, kecamatan, forms of
violence, status, dates), so every report still counts the case.

**Legal hold.** A supervisor of the owning agency places a hold on a closed or cancelled case, or lifts it,
with a reason (encrypted in the case file; the audit entry says only that it happened). A held case is never
shredded. A hold and the job cannot cross: both lock the case's row first, and the job checks the hold again
once it holds the lock.

The job (`shred_due`) works in batches, each its own transaction, claiming rows as the reminders do
(PostgreSQL skips the rows another worker holds); it resumes where it stopped and does nothing twice. Each
case is a savepoint of its own: one that cannot be shredded (a data key that fails, say) is left whole, logged
by its id and audited as a failure, and the others go on; the attachments' files go once the batch commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, delete, exists, select
from sqlalchemy.orm import joinedload, lazyload

from caseapp import audit
from caseapp.audit import AuditAction, Outcome
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, PermissionDenied
from caseapp.extensions import db
from caseapp.models import Case, CaseNameToken, Complaint, LegalHold, User
from caseapp.models.case import CaseStatus
from caseapp.models.encrypted import EncryptedField
from caseapp.schemas.retention import LegalHoldIn
from caseapp.security.permissions import Permission
from caseapp.services import access, attachments, data_keys
from caseapp.services.cases.rules import shredded_refusal
from caseapp.services.proceedings import proceedings_open
from caseapp.transaction import unit_of_work

TERMINAL = (CaseStatus.CLOSED.value, CaseStatus.CANCELLED.value)
BATCH = 100  # cases per transaction: a backlog (the first run on old data) never holds locks long
ACTOR = "system:retention"  # who the audit log names for a shredding: the job, not a user
DEFAULT_YEARS = 5
log = logging.getLogger(__name__)

# The sealed columns of a case's own row, cleared when it is shredded (nothing is left to decrypt, and a
# case without a name is no longer one the name index waits to index).
SEALED_COLUMNS = tuple(f.column_attr for f in vars(Case).values() if isinstance(f, EncryptedField))


# Policy ---------------------------------------------------------------------------------------------------


def retention_years() -> int:
    """Return how many years after its end a case keeps its identity (0: retention is off)."""
    return max(0, int(current_app.config.get("CASE_RETENTION_YEARS", DEFAULT_YEARS)))


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February, into a year without one
        return moment.replace(year=moment.year - years, day=28)


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def cutoff(now: datetime | None = None) -> datetime | None:
    """Return the latest end a case may have to be due now (None: retention is off)."""
    years = retention_years()
    return _years_before(now or utcnow(), years) if years else None


def _held() -> ColumnElement[bool]:
    return exists(select(LegalHold.id).where(LegalHold.case_id == Case.id, LegalHold.lifted_at.is_(None)))


def _due_where(cut: datetime) -> ColumnElement[bool]:
    """The policy's part that SQL can say (the legal proceedings are asked case by case)."""
    return and_(
        Case.shredded_at.is_(None),
        Case.status.in_(TERMINAL),
        Case.closed_at.is_not(None),
        Case.closed_at <= cut,
        ~_held(),
    )


def is_due(case: Case, now: datetime | None = None) -> bool:
    """Say whether the case is due for shredding now (the whole policy, read afresh)."""
    cut = cutoff(now)
    if cut is None:
        return False
    stmt = select(Case.id).where(Case.id == case.id, _due_where(cut))
    return db.session.scalar(stmt) is not None and not proceedings_open(case)


def due_on(case: Case) -> datetime | None:
    """Return when a closed or cancelled case becomes due (held or not); None when it never will as it is."""
    years = retention_years()
    if not years or case.is_shredded or case.status not in TERMINAL or case.closed_at is None:
        return None
    return _years_after(case.closed_at, years)


# Shredding ------------------------------------------------------------------------------------------------


def shred_case(case: Case) -> bool:
    """Remove the child's identity from a case for good (the caller has checked the policy and holds the
    row); return False when it was shredded already. Flushes, never commits."""
    if case.shredded_at is not None:
        return False
    files = attachments.shred_case_attachments(case)
    complaints = list(db.session.scalars(select(Complaint).where(Complaint.case_id == case.id)))
    for complaint in complaints:
        if complaint.data_key.wrapped is not None:
            data_keys.shred(complaint.data_key)
    tokens = db.session.execute(
        delete(CaseNameToken)
        .where(CaseNameToken.case_id == case.id)
        .execution_options(synchronize_session=False)
    )
    for column in SEALED_COLUMNS:
        setattr(case, column, None)
    case.child_nik_bidx = None
    case.child_identity_bidx = None  # which cases were one child: linkable, so gone too
    if case.data_key.wrapped is not None:
        data_keys.shred(case.data_key)
    now = utcnow()
    case.shredded_at = now
    case.updated_at = now
    case.version += 1  # a form opened before is stale now
    audit.record(
        AuditAction.CASE_SHRED,
        actor_username=ACTOR,
        object_type="case",
        object_id=case.uuid,
        details={
            "attachments": files,
            "complaints": len(complaints),
            "name_tokens": int(getattr(tokens, "rowcount", 0) or 0),
        },
    )
    db.session.flush()
    return True


@dataclass(frozen=True)
class Batch:
    """What one batch did: how many cases it looked at, shredded and failed to shred, and the last id it
    looked at."""

    looked: int
    shredded: int
    failed: int
    last_id: int


def _shred_alone(case: Case, now: datetime | None) -> bool | None:
    """Shred one claimed case in a savepoint of its own: True when shredded, False when no longer due, None
    when it failed. A failure rolls back that case alone (its rows, its audit entries, its files' removal),
    is logged by the case's id and the error's type only (a message may carry data), and is audited."""
    case_uuid = case.uuid
    try:
        with db.session.begin_nested():
            return is_due(case, now) and shred_case(case)
    except Exception as exc:  # noqa: BLE001 - one case that cannot be shredded must not stop the others
        log.error("retention: case %s could not be shredded: %s", case_uuid, type(exc).__name__)
        audit.record(
            AuditAction.CASE_SHRED,
            actor_username=ACTOR,
            object_type="case",
            object_id=case_uuid,
            outcome=Outcome.ERROR,
            details={"error": type(exc).__name__},
        )
        return None


def shred_batch(limit: int = BATCH, after_id: int = 0, now: datetime | None = None) -> Batch:
    """Shred the due cases among the next `limit` candidates with ids above `after_id` (one transaction:
    the caller commits). The rows are claimed (PostgreSQL skips the ones another worker holds), then each is
    checked again under its lock: a hold placed or a case reopened meanwhile keeps it. Each case is its own
    savepoint: one that fails is left whole and counted, and the batch goes on (the next run tries it again,
    in its turn: the run walks on by id, so it never holds up the cases after it)."""
    cut = cutoff(now)
    if cut is None:
        return Batch(0, 0, 0, after_id)
    stmt = (
        select(Case)
        .where(_due_where(cut), Case.id > after_id)
        .options(joinedload(Case.data_key))
        .order_by(Case.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Case)
        .execution_options(populate_existing=True)
    )
    rows = list(db.session.scalars(stmt))
    last_id = rows[-1].id if rows else after_id
    outcomes = [_shred_alone(case, now) for case in rows]
    return Batch(len(rows), outcomes.count(True), outcomes.count(None), last_id)


def shred_due(
    batch_size: int = BATCH,
    now: datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_failed: Callable[[int], None] | None = None,
) -> int:
    """Shred every due case, one unit of work per batch (resumable, idempotent); return how many.
    `on_failed` hears how many cases of a batch could not be shredded (each logged and audited)."""
    total, after = 0, 0
    while True:
        with unit_of_work():
            batch = shred_batch(batch_size, after, now)
        total += batch.shredded
        if on_batch is not None and batch.shredded:
            on_batch(batch.shredded)
        if on_failed is not None and batch.failed:
            on_failed(batch.failed)
        if batch.looked < batch_size:
            return total
        after = batch.last_id
        db.session.expunge_all()  # a long run keeps no rows it is done with


def count_due(now: datetime | None = None, batch_size: int = 1000) -> int:
    """Return how many cases are due now (reads only: the dry run)."""
    cut = cutoff(now)
    if cut is None:
        return 0
    due, after = 0, 0
    while True:
        stmt = select(Case).where(_due_where(cut), Case.id > after).order_by(Case.id).limit(batch_size)
        rows = list(db.session.scalars(stmt))
        due += sum(1 for case in rows if not proceedings_open(case))
        if len(rows) < batch_size:
            return due
        after = rows[-1].id


# Legal hold -----------------------------------------------------------------------------------------------


def may_hold(actor: User, case: Case) -> bool:
    """Say whether the actor may place or lift a legal hold on the case (a supervisor of its agency)."""
    return actor.can(Permission.CASE_LEGAL_HOLD) and case.owner_agency_id == actor.agency_id


def active_hold(case: Case) -> LegalHold | None:
    """Return the hold the case is under, if any."""
    stmt = (
        select(LegalHold)
        .where(LegalHold.case_id == case.id, LegalHold.lifted_at.is_(None))
        .order_by(LegalHold.id.desc())
        .limit(1)
        .options(lazyload("*"))  # asked on every ended case's page; who placed it is read when there is one
    )
    return db.session.scalar(stmt)


def _locked(actor: User, case: Case) -> Case:
    """Check the actor may hold the case and take its row's lock (read afresh: the job may have shredded
    it while we waited)."""
    if not may_hold(actor, case):
        access.record_denial(actor, Permission.CASE_LEGAL_HOLD, object_type="case", object_id=str(case.uuid))
        raise PermissionDenied(str(Permission.CASE_LEGAL_HOLD))
    stmt = (
        select(Case)
        .where(Case.id == case.id)
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    )
    locked = db.session.scalar(stmt)
    assert locked is not None  # noqa: S101 - the caller found it in the actor's scope
    if locked.is_shredded:
        raise InvalidTransition(shredded_refusal())
    return locked


def place_hold(actor: User, case: Case, value: LegalHoldIn) -> LegalHold:
    """Place a legal hold on a closed or cancelled case (audited); a held case is never shredded."""
    case = _locked(actor, case)
    if case.status not in TERMINAL:
        raise InvalidTransition(_("A legal hold is placed on a closed or cancelled case."))
    if active_hold(case) is not None:
        raise InvalidTransition(_("The case is under a legal hold already."))
    hold = LegalHold(case=case, placed_by_id=actor.id, placed_at=utcnow())
    hold.reason = value.reason
    db.session.add(hold)
    db.session.flush()
    audit.record(
        AuditAction.CASE_LEGAL_HOLD,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"hold": str(hold.uuid)},
    )
    return hold


def lift_hold(actor: User, case: Case, value: LegalHoldIn) -> LegalHold:
    """Lift the case's legal hold (audited); retention applies again from then on."""
    case = _locked(actor, case)
    hold = active_hold(case)
    if hold is None:
        raise InvalidTransition(_("The case is under no legal hold."))
    hold.lifted_at = utcnow()
    hold.lifted_by_id = actor.id
    hold.lift_reason = value.reason
    db.session.flush()
    audit.record(
        AuditAction.CASE_LEGAL_HOLD_LIFT,
        actor=actor,
        object_type="case",
        object_id=case.uuid,
        details={"hold": str(hold.uuid)},
    )
    return hold


@dataclass(frozen=True)
class Retention:
    """What the case page says of retention: the hold in force, when the case becomes due, who may act."""

    hold: LegalHold | None
    due_on: datetime | None
    may_hold: bool
    may_place: bool


def retention_of(actor: User, case: Case) -> Retention:
    """Return the case's retention state as the actor sees it (for the case page). An open case is asked
    nothing (one statement less on the page most opened): retention, and so a hold, matters once it ends."""
    ended = case.status in TERMINAL and not case.is_shredded
    hold = active_hold(case) if ended else None
    allowed = ended and may_hold(actor, case)
    return Retention(hold=hold, due_on=due_on(case), may_hold=allowed, may_place=allowed and hold is None)


def hold_state(case: Case) -> dict[str, Any]:
    """Return the case's hold in the API's shape (`LegalHoldStateOut`)."""
    hold = active_hold(case)
    return {
        "case_id": case.uuid,
        "case_number": case.case_number,
        "held": hold is not None,
        "hold": hold_out(hold),
    }


def hold_out(hold: LegalHold | None) -> dict[str, Any] | None:
    """Return a hold in the API's shape (`LegalHoldOut`), or None."""
    if hold is None:
        return None
    return {"placed_at": hold.placed_at, "placed_by": hold.placed_by.username, "reason": hold.reason}
