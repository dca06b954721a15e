"""Housekeeping: remove what has served its purpose (meant for a daily cron job)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, or_

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models import LoginThrottle, Notification, OutboxMessage, UserSession
from caseapp.services import export_jobs


def prune() -> dict[str, int]:
    """Delete ended sessions after 30 days, idle sign-in counters after a day, read notifications after 180
    days, sent mail after 30 days and expired export files (content deleted, data key shredded); return how
    many rows of each went. The audit log is never pruned."""
    now = utcnow()
    statements = {
        "sessions": delete(UserSession).where(
            or_(
                UserSession.revoked_at < now - timedelta(days=30),
                UserSession.expires_at < now - timedelta(days=30),
            )
        ),
        "login_throttle": delete(LoginThrottle).where(
            LoginThrottle.updated_at < now - timedelta(days=1),
            or_(LoginThrottle.next_allowed_at.is_(None), LoginThrottle.next_allowed_at < now),
        ),
        "notifications": delete(Notification).where(
            and_(Notification.read_at.is_not(None), Notification.read_at < now - timedelta(days=180))
        ),
        "outbox": delete(OutboxMessage).where(OutboxMessage.sent_at < now - timedelta(days=30)),
    }
    counts = {}
    for name, statement in statements.items():
        result = db.session.execute(statement.execution_options(synchronize_session=False))
        counts[name] = int(getattr(result, "rowcount", 0) or 0)
    counts["export_files"] = export_jobs.expire(now)
    audit.record(AuditAction.MAINTENANCE_PRUNE, object_type="maintenance", details=counts)
    db.session.flush()
    return counts
