"""The justice track of a case: legal milestones recorded by the case's agency or by the police, the
prosecutor or the court on a case shared with them.

The kind, the date and the recording agency are plaintext (timelines, "proceedings open", statistics);
the reference (an LP or case-file number identifies a case), the investigator's name and the outcome are
encrypted under the case's data key.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.agency import Agency
from caseapp.models.attachment import Attachment
from caseapp.models.case import Case
from caseapp.models.data_key import DataKey
from caseapp.models.encrypted import EncryptedField
from caseapp.models.user import User


class LegalEventKind(StrEnum):
    """A milestone of criminal proceedings (KUHAP, UU TPKS Pasal 30-31 for restitution)."""

    POLICE_REPORT = "police_report"  # laporan polisi (LP number)
    VICTIM_STATEMENT = "victim_statement"  # BAP of the child
    VISUM_REQUEST = "visum_request"  # KUHAP Pasal 133: requested by the investigator
    VISUM_RESULT = "visum_result"
    SUSPECT_NAMED = "suspect_named"
    # UU SPPA Pasal 27-28: the investigator asks Bapas for the social research report (litmas) of a child in
    # conflict with the law, due within 3x24 hours of the request.
    LITMAS_REQUEST = "litmas_request"
    LITMAS_RECEIVED = "litmas_received"
    CASE_FILE_COMPLETE = "case_file_complete"  # P21
    # UU SPPA Pasal 32-35: a child of 14 or more in conflict with the law may be detained, for a few days at
    # each stage (see DETENTION_MAX_DAYS).
    DETENTION_STARTED = "detention_started"
    DETENTION_ENDED = "detention_ended"
    TRIAL = "trial"
    VERDICT = "verdict"
    # Proceedings that end without a verdict: SP3 (KUHAP Pasal 109 (2)), SKP2 (Pasal 140 (2)), and a complaint
    # withdrawn by the complainant (KUHP Pasal 75, for an offence prosecuted only on complaint).
    INVESTIGATION_STOPPED = "investigation_stopped"
    PROSECUTION_STOPPED = "prosecution_stopped"
    COMPLAINT_WITHDRAWN = "complaint_withdrawn"
    RESTITUTION_REQUESTED = "restitution_requested"
    RESTITUTION_DECIDED = "restitution_decided"
    RESTITUTION_PAID = "restitution_paid"


# Milestones after which the proceedings are over (what "open" counts from: `caseapp.services.proceedings`).
ENDING_KINDS = frozenset(
    {
        LegalEventKind.VERDICT,
        LegalEventKind.INVESTIGATION_STOPPED,
        LegalEventKind.PROSECUTION_STOPPED,
        LegalEventKind.COMPLAINT_WITHDRAWN,
    }
)
# UU SPPA Pasal 28: Bapas hands in the litmas within 3x24 hours of the request.
LITMAS_DUE_HOURS = 72
# UU SPPA Pasal 32 (2): only a child of 14 or more may be detained.
DETENTION_MIN_AGE = 14


class LegalEvent(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """One legal milestone of a case."""

    __tablename__ = "legal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    event_date: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # the agency that recorded it
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A litmas request: when it was made (UTC), from which its 3x24-hour deadline runs.
    requested_at: Mapped[datetime | None]
    # A document of the milestone (the visum, the BAP, the verdict) among the case's attachments.
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="SET NULL"))
    reference_ct: Mapped[bytes | None] = mapped_column("reference", LargeBinary)
    investigator_ct: Mapped[bytes | None] = mapped_column("investigator", LargeBinary)
    outcome_ct: Mapped[bytes | None] = mapped_column("outcome", LargeBinary)

    reference = EncryptedField("reference_ct")
    investigator = EncryptedField("investigator_ct")
    outcome = EncryptedField("outcome_ct")

    case: Mapped[Case] = relationship()
    agency: Mapped[Agency] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship(lazy="joined")
    attachment: Mapped[Attachment | None] = relationship(lazy="joined")

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key


class DiversionStage(StrEnum):
    """Where diversion is tried (UU SPPA Pasal 7): at each stage of the proceedings; or, for a child under
    12 (Pasal 21), no criminal process but a decision."""

    INVESTIGATION = "investigation"
    PROSECUTION = "prosecution"
    COURT = "court"
    UNDER_12 = "under_12"


class DiversionOutcome(StrEnum):
    ONGOING = "ongoing"
    SETTLED = "settled"  # agreement reached and approved by the court (penetapan)
    FAILED = "failed"  # the proceedings go on


class Under12Decision(StrEnum):
    """UU SPPA Pasal 21: what investigators, Bapas and social workers decide for a child under 12."""

    RETURN_TO_PARENTS = "return_to_parents"
    SOCIAL_PROGRAM = "social_program"


class Diversion(db.Model):  # type: ignore[name-defined]
    """A diversion attempt for a child in conflict with the law, at one stage (or the under-12 decision)."""

    __tablename__ = "diversion"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(12))
    started_on: Mapped[date] = mapped_column(Date)
    victim_agreed: Mapped[bool] = mapped_column(default=False)  # Pasal 9 (2)
    agreement_on: Mapped[date | None] = mapped_column(Date)
    court_approved_on: Mapped[date | None] = mapped_column(Date)  # penetapan of the district court
    decision: Mapped[str | None] = mapped_column(String(20))  # under 12 only
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    agency: Mapped[Agency] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship(lazy="joined")


# The milestone that opens each stage of the proceedings: the stage a day belongs to is the latest of them
# on or before it (no milestone: the investigation).
STAGE_STARTS = (
    (DiversionStage.COURT, LegalEventKind.TRIAL),
    (DiversionStage.PROSECUTION, LegalEventKind.CASE_FILE_COMPLETE),
    (DiversionStage.INVESTIGATION, LegalEventKind.POLICE_REPORT),
)
# UU SPPA Pasal 33-35: the longest detention of a child at each stage, its extension included (investigation
# 7 + 8 days, prosecution 5 + 5, first-instance court 10 + 15).
DETENTION_MAX_DAYS = {
    DiversionStage.INVESTIGATION: 15,
    DiversionStage.PROSECUTION: 10,
    DiversionStage.COURT: 25,
}
# UU SPPA Pasal 29 (1), 42 (1), 52 (2): diversion is attempted within 7 days of the stage's start (the
# investigation, the case file received by the prosecutor, the judge appointed: its trial milestone here).
DIVERSION_START_DAYS = 7
