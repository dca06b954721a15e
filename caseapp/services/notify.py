"""Notifications: in the app (the bell) and by e-mail through an outbox written in the same transaction.

Messages are built from codes and case numbers only, never from what a case says about a child. Mail is never
sent in a web request: the outbox row is written with the change, and after the commit the job runner is
asked to send it (`caseapp.jobs`: a Celery worker, or the embedded thread). A failed send leaves the
message in the outbox with its error; the periodic sweep (or `flask --app wsgi outbox send`) retries it
later, so a mail failure or a broker outage never loses or blocks the change it announces.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import func, literal, select, update

from caseapp import jobqueue, localtime
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models import Case, Notification, OutboxMessage, User
from caseapp.models.referral import Referral, ReferralStatus
from caseapp.security.permissions import Permission

MAX_ATTEMPTS = 10

SUBJECTS = {
    "referral_new": "Rujukan baru {number} dari {sender} ({urgency})",
    "referral_accepted": "Rujukan {number} diterima oleh {receiver}",
    "referral_declined": "Rujukan {number} ditolak oleh {receiver}",
    "referral_completed": "Rujukan {number} selesai di {receiver}",
    "referral_withdrawn": "Rujukan {number} ditarik oleh {sender}",
    "referral_assigned": "Rujukan {number} ditugaskan kepada Anda",
    "referral_overdue": "Rujukan {number} terlambat: batas {due} WITA",
    "task_assigned": "Tugas tindak lanjut kasus {number} untuk Anda",
}

# A case's requests and their answers (case number and codes only).
CASE_SUBJECTS = {
    "closure_requested": "Permintaan terminasi kasus {number} menunggu persetujuan",
    "closure_approved": "Terminasi kasus {number} disetujui",
    "closure_returned": "Permintaan terminasi kasus {number} dikembalikan",
    "cancellation_requested": "Permintaan pembatalan kasus {number} menunggu persetujuan",
    "cancellation_approved": "Pembatalan kasus {number} disetujui",
    "cancellation_returned": "Permintaan pembatalan kasus {number} dikembalikan",
    "care_plan_submitted": "Rencana intervensi kasus {number} menunggu persetujuan",
    "care_plan_approved": "Rencana intervensi kasus {number} disetujui",
    "care_plan_returned": "Rencana intervensi kasus {number} dikembalikan",
    "care_plan_review_due": "Tinjauan rencana intervensi kasus {number} sudah lewat waktu",
    "task_assigned": "Tugas tindak lanjut kasus {number} untuk Anda",
}


def _text(kind: str, referral: Referral) -> str:
    return SUBJECTS[kind].format(
        number=referral.case.case_number,
        sender=referral.from_agency.code,
        receiver=referral.to_agency.code,
        urgency=referral.urgency,
        due=localtime.show(referral.due_at),
    )


def notify(users: Iterable[User], kind: str, referral: Referral) -> None:
    """Notify each user once: a bell item, and an e-mail where mail is configured and they have an address."""
    _deliver(users, kind, _text(kind, referral), f"/referrals/{referral.id}", referral_id=referral.id)


def notify_case(users: Iterable[User], kind: str, case: Case) -> None:
    """Notify each user once of a step on a case (a bell item, and an e-mail where mail is configured)."""
    subject = CASE_SUBJECTS[kind].format(number=case.case_number)
    _deliver(users, kind, subject, f"/cases/{case.uuid}", case_id=case.id)


def _deliver(users: Iterable[User | None], kind: str, subject: str, link: str, **about: int) -> None:
    """Write one bell item per active user, and queue the e-mail (no child's data in it) after the commit."""
    seen: set[int] = set()
    mail_on = bool(current_app.config.get("MAIL_SERVER"))
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        db.session.add(Notification(user_id=user.id, kind=kind, **about))
        if mail_on and user.email:
            body = (
                f"{subject}\n\nBuka caseapp untuk melihat rincian: {link}\n"
                "Pesan ini tidak memuat data anak; masuk ke caseapp untuk membacanya.\n"
            )
            db.session.add(OutboxMessage(to_address=user.email, subject=subject, body=body))
            jobqueue.after_commit("outbox.send")
    db.session.flush()


def unread_count(user: User) -> int:
    """Return how many notifications the user has not read."""
    stmt = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    return int(db.session.scalar(stmt) or 0)


# A badge counts up to this and then says "99+": every page shows the badges, and counting an agency's
# thousands of waiting referrals (5,000 at a million cases) cost a millisecond on each.
NAV_BADGE_MAX = 99


def _count_up_to_max(stmt: Any) -> Any:
    limited = stmt.with_only_columns(literal(1)).limit(NAV_BADGE_MAX + 1).subquery()
    return select(func.count()).select_from(limited).scalar_subquery()


def nav_counts(user: User) -> dict[str, int]:
    """Return the navigation's badges in one statement: referrals waiting for the user's agency (for those
    who answer them) and unread notifications, each counted up to `NAV_BADGE_MAX` + 1 (more is "99+")."""
    unread = _count_up_to_max(
        select(Notification.id).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    incoming: Any = literal(0)
    if user.can(Permission.REFERRAL_RESPOND):
        incoming = _count_up_to_max(
            select(Referral.id).where(
                Referral.to_agency_id == user.agency_id, Referral.status == ReferralStatus.SENT.value
            )
        )
    row = db.session.execute(select(incoming.label("incoming"), unread.label("unread"))).one()
    return {"incoming": int(row.incoming or 0), "unread": int(row.unread or 0)}


def recent(user: User, limit: int = 50) -> list[Notification]:
    """Return the user's newest notifications."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def mark_all_read(user: User) -> None:
    """Mark the user's notifications read."""
    now = utcnow()
    for row in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ):
        row.read_at = now
    db.session.flush()


def subject_of(notification: Notification) -> str:
    """Return the text of a notification."""
    if notification.case is not None and notification.kind in CASE_SUBJECTS:
        return CASE_SUBJECTS[notification.kind].format(number=notification.case.case_number)
    if notification.referral is None:
        return notification.kind
    return _text(notification.kind, notification.referral)


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Send what the outbox holds (due for a try); return (sent, failed). Commits per message."""
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        return 0, 0
    now = utcnow()
    rows = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    sent = failed = 0
    for row in rows:
        # Claim the message first, so that two senders at once never send it twice.
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.attempts == row.attempts,
                OutboxMessage.sent_at.is_(None),
            )
            .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + timedelta(minutes=10))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        db.session.refresh(row)
        try:
            message = EmailMessage()
            message["From"] = cfg.get("MAIL_DEFAULT_SENDER") or "caseapp@localhost"
            message["To"] = row.to_address
            message["Subject"] = row.subject
            message.set_content(row.body)
            with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT") or 25), timeout=10) as smtp:
                if str(cfg.get("MAIL_USE_TLS", "")).lower() in ("1", "true", "yes"):
                    smtp.starttls()
                if cfg.get("MAIL_USERNAME"):
                    smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
                smtp.send_message(message)
        except Exception as exc:  # noqa: BLE001 - one bad message must never stop the others
            row.last_error = f"{type(exc).__name__}: {exc}"[:300]
            # Back off: 1, 2, 4, ... minutes, at most an hour; give up after MAX_ATTEMPTS (kept, visible).
            row.next_attempt_at = now + timedelta(minutes=min(2 ** (row.attempts - 1), 60))
            if row.attempts >= MAX_ATTEMPTS:
                row.next_attempt_at = now + timedelta(days=3650)
            failed += 1
        else:
            row.sent_at = utcnow()
            row.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed
