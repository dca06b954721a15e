"""Intake and protection around a case: complaints (pengaduan) before a case exists, outreach visits
(penjangkauan) on a complaint or a case, and shelter stays (rumah aman / penampungan sementara).

A complaint holds data as sensitive as a case (who reported, what they reported), so it has a data key of
its own, as a case does; an outreach visit is sealed under the key of the complaint or case it belongs to,
a shelter stay under its case's. Channels, urgency, decisions, outcomes and dates are plaintext codes (for
queues and counting); names, contacts, places and what people said are encrypted. Who may read a
complaint is `caseapp.services.scoping.visible_complaints`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.agency import Agency
from caseapp.models.case import Case
from caseapp.models.data_key import DataKey
from caseapp.models.encrypted import EncryptedField
from caseapp.models.user import User


class ComplaintDecision(StrEnum):
    """What triage decided about a complaint."""

    ACCEPTED = "accepted"  # it became a case
    REFERRED_ELSEWHERE = "referred_elsewhere"  # another agency handles it
    NOT_A_CASE = "not_a_case"


class OutreachOutcome(StrEnum):
    """How an outreach visit ended."""

    MET_CHILD = "met_child"
    NOT_FOUND = "not_found"
    REFUSED = "refused"
    REFERRED = "referred"


class DischargeReason(StrEnum):
    """Why a child left a shelter."""

    RETURNED_HOME = "returned_home"
    PLACED_WITH_RELATIVES = "placed_with_relatives"
    TRANSFERRED = "transferred"  # to another shelter, an LKSA or a social-rehabilitation home
    LEFT = "left"  # the child or the family ended the stay against advice
    OTHER = "other"


class Complaint(db.Model):  # type: ignore[name-defined]
    """A complaint received by an agency, triaged before (and whether) it becomes a case."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # the receiving agency: its scope
    data_key_id: Mapped[int] = mapped_column(ForeignKey("data_key.id"))
    received_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(12))  # referral `Urgency` codes: the triage's due time
    triage_due_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reporter_name_ct: Mapped[bytes | None] = mapped_column("reporter_name", LargeBinary)
    reporter_contact_ct: Mapped[bytes | None] = mapped_column("reporter_contact", LargeBinary)
    report_ct: Mapped[bytes | None] = mapped_column("report", LargeBinary)  # what was reported

    # Triage (once; a guarded update so that of two triages exactly one wins)
    decision: Mapped[str | None] = mapped_column(String(20))
    triaged_at: Mapped[datetime | None]
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    referred_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    decision_reason_ct: Mapped[bytes | None] = mapped_column("decision_reason", LargeBinary)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="SET NULL"), unique=True)

    reporter_name = EncryptedField("reporter_name_ct")
    reporter_contact = EncryptedField("reporter_contact_ct")
    report = EncryptedField("report_ct")
    decision_reason = EncryptedField("decision_reason_ct")

    data_key: Mapped[DataKey] = relationship()
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id], lazy="joined")
    referred_agency: Mapped[Agency | None] = relationship(foreign_keys=[referred_agency_id], lazy="joined")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="joined")
    triaged_by: Mapped[User | None] = relationship(foreign_keys=[triaged_by_id], lazy="joined")
    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        # The agency's list and queue: untriaged first, newest received first.
        Index("ix_complaint_agency_decision_received", "agency_id", "decision", "received_at"),
    )

    @property
    def is_untriaged(self) -> bool:
        return self.decision is None

    def triage_overdue(self, now: datetime) -> bool:
        """Say whether the complaint still waits for triage past its due time."""
        return self.decision is None and now > self.triage_due_at

    def encryption_key(self) -> DataKey | None:
        return self.data_key

    def __repr__(self) -> str:
        return f"<Complaint {self.uuid} {self.decision or 'untriaged'}>"


class OutreachVisit(db.Model):  # type: ignore[name-defined]
    """An outreach visit (penjangkauan) on a complaint or on a case: when, where, how it ended, a note."""

    __tablename__ = "outreach_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    visit_date: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    place_ct: Mapped[bytes | None] = mapped_column("place", LargeBinary)
    note_ct: Mapped[bytes | None] = mapped_column("note", LargeBinary)

    place = EncryptedField("place_ct")
    note = EncryptedField("note_ct")

    complaint: Mapped[Complaint | None] = relationship()
    case: Mapped[Case | None] = relationship()
    author: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("(complaint_id IS NULL) <> (case_id IS NULL)", name="complaint_or_case"),
    )

    def encryption_key(self) -> DataKey | None:
        if self.case is not None:
            return self.case.data_key
        return self.complaint.data_key if self.complaint is not None else None


class ShelterStay(db.Model):  # type: ignore[name-defined]
    """A child's stay in a shelter (rumah aman): an agency's or a named place; open until discharged."""

    __tablename__ = "shelter_stay"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    shelter_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    shelter_place_ct: Mapped[bytes | None] = mapped_column("shelter_place", LargeBinary)
    admitted_on: Mapped[date] = mapped_column(Date)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    discharge_reason: Mapped[str | None] = mapped_column(String(30))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    discharged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    shelter_place = EncryptedField("shelter_place_ct")

    case: Mapped[Case] = relationship()
    shelter_agency: Mapped[Agency | None] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key
