"""Read-only queries over the audit log for the auditor's viewer and exports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from caseapp.extensions import db
from caseapp.localtime import ZONE
from caseapp.models.audit_event import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor narrowed the log to."""

    actor: str = ""
    agency: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_details(self) -> dict[str, Any]:
        """Return the non-empty filters, for the audit entry of a view or export."""
        return {k: str(v) for k, v in asdict(self).items() if v}


def filtered(f: AuditFilter) -> Select[Any]:
    """Return a select of events matching the filter (no order, no limit)."""
    stmt = select(AuditEvent)
    if f.actor:
        stmt = stmt.where(AuditEvent.actor_username == f.actor.strip().lower())
    if f.agency:
        stmt = stmt.where(AuditEvent.actor_agency == f.agency)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.object_type:
        stmt = stmt.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        stmt = stmt.where(AuditEvent.object_id == f.object_id.strip())
    if f.outcome:
        stmt = stmt.where(AuditEvent.outcome == f.outcome)
    if f.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _kendari_midnight(f.date_from))
    if f.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _kendari_midnight(f.date_to + timedelta(days=1)))
    return stmt


def _kendari_midnight(day: date) -> datetime:
    """Return the stored (naive UTC) time at which a Kendari calendar day begins: the filter's days are the
    auditor's days (WITA), like the times the viewer shows."""
    return datetime.combine(day, time.min, tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


def page(f: AuditFilter, before_seq: int | None, size: int = 50) -> tuple[list[AuditEvent], int | None]:
    """Return one page of events, newest first, and the seq to continue before (None on the last page)."""
    stmt = filtered(f)
    if before_seq is not None:
        stmt = stmt.where(AuditEvent.seq < before_seq)
    rows = list(db.session.scalars(stmt.order_by(AuditEvent.seq.desc()).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].seq if more and rows else None)


def last_verification() -> AuditEvent | None:
    """Return the newest `audit.verify` event."""
    stmt = (
        select(AuditEvent).where(AuditEvent.action == "audit.verify").order_by(AuditEvent.seq.desc()).limit(1)
    )
    return db.session.scalar(stmt)
