"""Referrals between agencies, in-app notifications and the e-mail outbox."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.agency import Agency
from caseapp.models.case import Case
from caseapp.models.data_key import DataKey
from caseapp.models.encrypted import EncryptedField
from caseapp.models.user import User


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"


class Section(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    INCIDENT = "incident"
    PERPETRATOR = "perpetrator"
    SERVICES = "services"
    NOTES = "notes"
    ATTACHMENTS = "attachments"  # documents and photos; never ticked by default


class ConsentBy(StrEnum):
    """Who agreed to the referral. For a child it is a parent or guardian (UU PDP Pasal 25); `child` stays
    readable on referrals recorded before that rule and is no longer taken."""

    CHILD = "child"
    GUARDIAN = "guardian"
    NOT_REQUIRED = "not_required"


class ChildAssent(StrEnum):
    """The child's own agreement, recorded beside the guardian's consent."""

    AGREED = "agreed"
    DISAGREED = "disagreed"
    NOT_ASKED = "not_asked"  # too young or unable to understand


class LegalBasis(StrEnum):
    """Why a referral goes without consent (UU PDP Pasal 20 ayat 2 huruf c, d, e)."""

    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTEREST = "vital_interest"
    PUBLIC_TASK = "public_task"


class DeclineReason(StrEnum):
    NOT_OUR_MANDATE = "not_our_mandate"
    NO_CAPACITY = "no_capacity"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    OTHER = "other"


class NotificationKind(StrEnum):
    """What an in-app notification announces."""

    REFERRAL_NEW = "referral_new"
    REFERRAL_ACCEPTED = "referral_accepted"
    REFERRAL_DECLINED = "referral_declined"
    REFERRAL_COMPLETED = "referral_completed"
    REFERRAL_WITHDRAWN = "referral_withdrawn"
    REFERRAL_ASSIGNED = "referral_assigned"
    REFERRAL_OVERDUE = "referral_overdue"
    CLOSURE_REQUESTED = "closure_requested"
    CLOSURE_APPROVED = "closure_approved"
    CLOSURE_RETURNED = "closure_returned"
    CANCELLATION_REQUESTED = "cancellation_requested"
    CANCELLATION_APPROVED = "cancellation_approved"
    CANCELLATION_RETURNED = "cancellation_returned"
    CARE_PLAN_SUBMITTED = "care_plan_submitted"
    CARE_PLAN_APPROVED = "care_plan_approved"
    CARE_PLAN_RETURNED = "care_plan_returned"
    CARE_PLAN_REVIEW_DUE = "care_plan_review_due"
    TASK_ASSIGNED = "task_assigned"


class Referral(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """A request from one agency to another to serve a child: always owned, always due, always ended."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    from_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ReferralStatus.SENT.value)
    urgency: Mapped[str] = mapped_column(String(12))
    services: Mapped[str] = mapped_column(String(400))  # comma-separated service codes
    shared_sections: Mapped[str] = mapped_column(String(100))  # comma-separated Section values
    consent_given_by: Mapped[str] = mapped_column(String(16))
    consent_obtained_at: Mapped[date | None] = mapped_column(Date)
    consent_assent: Mapped[str | None] = mapped_column(String(12))  # ChildAssent; none on older referrals
    consent_legal_basis: Mapped[str | None] = mapped_column(String(20))  # LegalBasis, when not required
    sent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # referrals sent in a period
    due_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(20))
    last_reminded_on: Mapped[date | None] = mapped_column(Date)

    reason_ct: Mapped[bytes | None] = mapped_column("reason", LargeBinary)
    consent_name_ct: Mapped[bytes | None] = mapped_column("consent_name", LargeBinary)
    legal_basis_ct: Mapped[bytes | None] = mapped_column("legal_basis", LargeBinary)
    response_note_ct: Mapped[bytes | None] = mapped_column("response_note", LargeBinary)

    reason = EncryptedField("reason_ct")
    consent_name = EncryptedField("consent_name_ct")
    legal_basis = EncryptedField("legal_basis_ct")
    response_note = EncryptedField("response_note_ct")

    case: Mapped[Case] = relationship(lazy="joined")
    from_agency: Mapped[Agency] = relationship(foreign_keys=[from_agency_id], lazy="joined")
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id], lazy="joined")
    from_user: Mapped[User] = relationship(foreign_keys=[from_user_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")

    __table_args__ = (
        Index("ix_referral_to_status", "to_agency_id", "status", "due_at"),
        Index("ix_referral_from_status", "from_agency_id", "status", "due_at"),
    )

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key

    @property
    def sections(self) -> list[str]:
        return [s for s in self.shared_sections.split(",") if s]

    @property
    def service_codes(self) -> list[str]:
        return [s for s in self.services.split(",") if s]

    def is_overdue(self, now: datetime) -> bool:
        """Sent and still unanswered past its due time."""
        return self.status == ReferralStatus.SENT.value and now > self.due_at

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.status}>"


class Notification(db.Model):  # type: ignore[name-defined]
    """An in-app notification (the bell); its text is built from codes, never from case content."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(30))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    referral: Mapped[Referral | None] = relationship(lazy="joined")
    case: Mapped[Case | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at", "created_at"),)


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """An e-mail waiting to be sent, written in the transaction of the change it announces."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(300))
