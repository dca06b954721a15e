"""A child-victim case (one child per case) and what hangs off it: parties, team, notes, services, events.

S fields are encrypted under the case's own data key (`EncryptedField`); P fields are plaintext codes kept
for scoping and statistics. Nothing here decides who may see what: that is
`caseapp.services.scoping.visible_cases`.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models.agency import Agency
from caseapp.models.data_key import DataKey
from caseapp.models.encrypted import EncryptedField
from caseapp.models.user import User


class CaseStatus(StrEnum):
    NEW = "new"
    ASSESSMENT = "assessment"
    INTERVENTION = "intervention"
    MONITORING = "monitoring"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Sex(StrEnum):
    """A child's or a party's sex as SIMFONI-PPA counts it."""

    FEMALE = "F"
    MALE = "M"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Confidentiality(StrEnum):
    NORMAL = "normal"
    RESTRICTED = "restricted"


class ChildRole(StrEnum):
    """The child's place in the justice track (UU SPPA Pasal 1: victim, witness, in conflict with the law)."""

    VICTIM = "victim"
    WITNESS = "witness"
    IN_CONFLICT_WITH_LAW = "in_conflict_with_law"


class SchoolStatus(StrEnum):
    """Whether the child goes to school (SIMFONI-PPA), beside the education level."""

    IN_SCHOOL = "in_school"
    DROPPED_OUT = "dropped_out"
    NEVER_ENROLLED = "never_enrolled"


class MaritalStatus(StrEnum):
    """A person's marital status; a married child is a child marriage (SIMFONI-PPA counts it)."""

    NOT_MARRIED = "not_married"
    MARRIED = "married"
    DIVORCED = "divorced"
    WIDOWED = "widowed"


KOTA_KENDARI = "74.71"  # the regency code of Kendari: a kelurahan is always in it


class PartyRole(StrEnum):
    GUARDIAN = "guardian"
    REPORTER = "reporter"
    PERPETRATOR = "perpetrator"
    WITNESS = "witness"


class NoteKind(StrEnum):
    VISIT = "visit"
    CALL = "call"
    COUNSELLING = "counselling"
    COORDINATION = "coordination"
    SUPERVISION = "supervision"
    MEDIATION = "mediation"


class NoteVisibility(StrEnum):
    CASE_TEAM = "case_team"
    AGENCY = "agency"


class ServiceOutcome(StrEnum):
    PROVIDED = "provided"
    ONGOING = "ongoing"
    REFUSED = "refused"
    NOT_AVAILABLE = "not_available"


class CancelReason(StrEnum):
    DUPLICATE = "duplicate"
    NOT_A_CASE = "not_a_case"
    NOT_OUR_MANDATE = "not_our_mandate"


class ReopenReason(StrEnum):
    NEW_INCIDENT = "new_incident"
    NEEDS_NOT_MET = "needs_not_met"
    CLOSED_IN_ERROR = "closed_in_error"


class CaseEventKind(StrEnum):
    """What a line of the case's timeline records: a lifecycle step, an assignment or a referral step."""

    CREATED = "created"
    START_ASSESSMENT = "start_assessment"
    START_INTERVENTION = "start_intervention"
    START_MONITORING = "start_monitoring"
    BACK_TO_INTERVENTION = "back_to_intervention"
    RECORD_FIRST_CONTACT = "record_first_contact"
    REQUEST_CLOSURE = "request_closure"
    APPROVE_CLOSURE = "approve_closure"
    RETURN_CLOSURE = "return_closure"
    CANCEL = "cancel"
    REOPEN = "reopen"
    REQUEST_CANCELLATION = "request_cancellation"
    APPROVE_CANCELLATION = "approve_cancellation"
    RETURN_CANCELLATION = "return_cancellation"
    ASSIGNMENT = "assignment"
    REFERRAL_SENT = "referral_sent"
    REFERRAL_ACCEPTED = "referral_accepted"
    REFERRAL_DECLINED = "referral_declined"
    REFERRAL_COMPLETED = "referral_completed"
    REFERRAL_WITHDRAWN = "referral_withdrawn"


class AgeGroup(StrEnum):
    UNDER_6 = "0-5"
    AGE_6_12 = "6-12"
    AGE_13_17 = "13-17"
    ADULT = "18+"  # an adult whose age band is not known
    ADULT_18_24 = "18-24"
    ADULT_25_44 = "25-44"
    ADULT_45_59 = "45-59"
    ADULT_60_PLUS = "60+"


def age_group(age: int | None) -> str | None:
    """Return the SIMFONI-PPA age group of an age in years."""
    if age is None:
        return None
    if age <= 5:
        return AgeGroup.UNDER_6.value
    if age <= 12:
        return AgeGroup.AGE_6_12.value
    if age <= 17:
        return AgeGroup.AGE_13_17.value
    return AgeGroup.ADULT.value


def month_of(day: date | None) -> date | None:
    """Return the first day of the incident's month: what is kept in the clear of an incident date."""
    return day.replace(day=1) if day else None


STAT_KEY_SPACE = 2**31  # stat_key is in [0, STAT_KEY_SPACE): an INTEGER on every database


def new_stat_key() -> int:
    """Return a fresh record key for the statistics (secret; nothing about the case derives from it)."""
    return secrets.randbelow(STAT_KEY_SPACE)


class Incident(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """One incident with several children (one teacher, ten pupils): each child keeps their own case, and the
    cases share this row, so that reports count incidents, victims and perpetrators apart. Nothing about the
    incident is stored here: its date, place and perpetrators are on each case (copied at registration)."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# A case with a name and a birth date but no identity index yet (names.identity_pending, the same in SQL).
_IDENTITY_PENDING = "child_identity_bidx IS NULL AND child_name IS NOT NULL AND child_dob IS NOT NULL"


class Case(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy's dynamic base
    """One child's case, owned by an agency and managed by one worker."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.NEW.value)
    risk_level: Mapped[str] = mapped_column(String(10))
    confidentiality: Mapped[str] = mapped_column(String(12), default=Confidentiality.NORMAL.value)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    case_manager_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # Optimistic lock: every change claims the version it was based on (services.cases._claim).
    version: Mapped[int] = mapped_column(default=1)
    data_key_id: Mapped[int] = mapped_column(ForeignKey("data_key.id"))
    # sha256(user id | Idempotency-Key): a repeated submission finds the case it already created.
    idempotency_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # A fixed random number per case: the published statistics round each count by the keys of the records
    # it counts (caseapp.reports.disclosure), so the same children always give the same figure.
    stat_key: Mapped[int] = mapped_column(default=new_stat_key)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_contact_due_at: Mapped[datetime]
    first_contact_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closure_reason: Mapped[str | None] = mapped_column(String(40))
    closure_requested_at: Mapped[datetime | None]
    closure_requested_reason: Mapped[str | None] = mapped_column(String(40))
    closure_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Why the case closes when the reason is `other`, and why a supervisor closed it over open work (S).
    closure_explanation_ct: Mapped[bytes | None] = mapped_column("closure_explanation", LargeBinary)
    closure_override_ct: Mapped[bytes | None] = mapped_column("closure_override", LargeBinary)
    cancel_reason: Mapped[str | None] = mapped_column(String(40))
    # A case worker's cancellation waits for a supervisor (the case leaves the statistics when cancelled).
    cancel_requested_at: Mapped[datetime | None]
    cancel_requested_reason: Mapped[str | None] = mapped_column(String(40))
    cancel_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # When retention removed the child's identity (services/retention.py): the data key is destroyed, the
    # sealed columns of this row are cleared and the blind indexes deleted; the plaintext statistics stay.
    shredded_at: Mapped[datetime | None]

    # The child
    child_name_ct: Mapped[bytes | None] = mapped_column("child_name", LargeBinary)
    child_nik_ct: Mapped[bytes | None] = mapped_column("child_nik", LargeBinary)
    child_nik_bidx: Mapped[int | None] = mapped_column()  # indexed below (ix_case_file_child_nik_bidx)
    child_dob_ct: Mapped[bytes | None] = mapped_column("child_dob", LargeBinary)
    # Blind index of name + birth date (services/cases/names.py `identity_index`): the "same child?" check.
    child_identity_bidx: Mapped[int | None] = mapped_column(index=True)
    child_address_ct: Mapped[bytes | None] = mapped_column("child_address", LargeBinary)
    child_school_ct: Mapped[bytes | None] = mapped_column("child_school", LargeBinary)
    # What lists show of a restricted case (S: initials with sex, age group and kecamatan single a child out).
    child_initials_ct: Mapped[bytes | None] = mapped_column("child_initials", LargeBinary)
    child_role: Mapped[str] = mapped_column(String(24), default=ChildRole.VICTIM.value)
    child_sex: Mapped[str] = mapped_column(String(1))
    # The exact age at the incident (fixed: not recomputed as time passes) is S; statistics count the
    # age group (P). The SIMFONI-PPA export and the SPPA rules (under 12) decrypt the age.
    child_age_ct: Mapped[bytes | None] = mapped_column("child_age", LargeBinary)
    child_age_group: Mapped[str | None] = mapped_column(String(6))
    child_age_is_estimate: Mapped[bool] = mapped_column(default=False)
    child_disability: Mapped[bool] = mapped_column(default=False)
    # SIMFONI-PPA's fields on the child: codes (education_level, disability_type (comma-separated, UU 8/2016
    # Pasal 4), occupation, regency vocabularies; SchoolStatus, MaritalStatus), counted like sex and age.
    child_education: Mapped[str | None] = mapped_column(String(30))
    child_school_status: Mapped[str | None] = mapped_column(String(16))
    child_disability_types: Mapped[str | None] = mapped_column(String(80))
    child_occupation: Mapped[str | None] = mapped_column(String(30))
    child_marital_status: Mapped[str | None] = mapped_column(String(12))
    # Where the child lives when outside Kendari: a regency of Sulawesi Tenggara or `outside_province`
    # (Kendari itself, with its kelurahan, is KOTA_KENDARI).
    child_regency: Mapped[str | None] = mapped_column(String(20))
    # The kelurahan of residence is S (a kelurahan holds a few thousand people); its kecamatan is P.
    child_kelurahan_ct: Mapped[bytes | None] = mapped_column("child_kelurahan", LargeBinary)
    kecamatan: Mapped[str | None] = mapped_column(String(20))

    # The incident: the exact date and the kelurahan are S; the month (its first day) is P, for statistics.
    incident_date_ct: Mapped[bytes | None] = mapped_column("incident_date", LargeBinary)
    incident_month: Mapped[date | None] = mapped_column(Date)
    incident_date_approximate: Mapped[bool] = mapped_column(default=False)
    incident_kelurahan_ct: Mapped[bytes | None] = mapped_column("incident_kelurahan", LargeBinary)
    incident_regency: Mapped[str | None] = mapped_column(String(20))
    place: Mapped[str | None] = mapped_column(String(40))
    primary_violence_type: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(40))
    narrative_ct: Mapped[bytes | None] = mapped_column("narrative", LargeBinary)
    # The incident this case shares with other children's cases (None: an incident of its own).
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)

    child_name = EncryptedField("child_name_ct")
    child_nik = EncryptedField("child_nik_ct")
    child_dob = EncryptedField("child_dob_ct")
    child_address = EncryptedField("child_address_ct")
    child_school = EncryptedField("child_school_ct")
    child_initials = EncryptedField("child_initials_ct")
    child_kelurahan = EncryptedField("child_kelurahan_ct")
    incident_kelurahan = EncryptedField("incident_kelurahan_ct")
    narrative = EncryptedField("narrative_ct")
    # Stored as text (an ISO date, a number of years); read through `incident_date` and `child_age`.
    _incident_date_text = EncryptedField("incident_date_ct")
    _child_age_text = EncryptedField("child_age_ct")
    closure_explanation = EncryptedField("closure_explanation_ct")
    closure_override = EncryptedField("closure_override_ct")

    data_key: Mapped[DataKey] = relationship()
    incident: Mapped[Incident | None] = relationship()
    owner_agency: Mapped[Agency] = relationship(lazy="joined")
    case_manager: Mapped[User] = relationship(foreign_keys=[case_manager_id], lazy="joined")
    closure_requested_by: Mapped[User | None] = relationship(foreign_keys=[closure_requested_by_id])
    cancel_requested_by: Mapped[User | None] = relationship(foreign_keys=[cancel_requested_by_id])
    violence_types: Mapped[list[CaseViolenceType]] = relationship(
        cascade="all, delete-orphan", order_by="CaseViolenceType.code"
    )
    ampk: Mapped[list[CaseAmpk]] = relationship(cascade="all, delete-orphan", order_by="CaseAmpk.code")
    parties: Mapped[list[CaseParty]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseParty.id"
    )
    team: Mapped[list[CaseTeamMember]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_case_file_owner_created", "owner_agency_id", "created_at", "id"),
        # An agency's open cases (dashboard aggregates) and its list filtered by status, newest first; on
        # PostgreSQL the dashboard's columns ride along, so its counts are index-only scans.
        Index(
            "ix_case_file_owner_status_created",
            "owner_agency_id",
            "status",
            "created_at",
            postgresql_include=[
                "id",
                "risk_level",
                "case_manager_id",
                "first_contact_at",
                "first_contact_due_at",
            ],
        ),
        # Cases an agency closed in a period (the dashboard's closure times).
        Index("ix_case_file_owner_closed", "owner_agency_id", "closed_at", postgresql_include=["created_at"]),
        Index("ix_case_file_status_created", "status", "created_at"),
        # The recap: everything registered in a period, with the columns it counts (index-only on PostgreSQL).
        Index(
            "ix_case_file_created_at",
            "created_at",
            postgresql_include=[
                "id",
                "status",
                "owner_agency_id",
                "kecamatan",
                "child_sex",
                "child_age_group",
                "primary_violence_type",
                "place",
                "child_nik_bidx",
                "stat_key",
                "child_disability",
                "child_role",
                "incident_id",
            ],
        ),
        # A NIK's cases (the "same child?" check, NIK search) and, for the recap's services, the first case in
        # scope of each served child's NIK (index-only on PostgreSQL).
        Index(
            "ix_case_file_child_nik_bidx",
            "child_nik_bidx",
            "id",
            postgresql_include=["status", "owner_agency_id", "stat_key"],
        ),
        Index("ix_case_file_first_contact", "first_contact_at", "first_contact_due_at"),
        Index("ix_case_file_kecamatan", "kecamatan"),
        Index("ix_case_file_primary_violence", "primary_violence_type"),
        # Cases registered before the identity index, until `flask search reindex` fills it: the "same
        # child?" check reads them as candidates (empty once filled; without it, every case without a
        # birth date would be read on each registration).
        Index(
            "ix_case_file_identity_pending",
            "id",
            postgresql_where=text(_IDENTITY_PENDING),
            sqlite_where=text(_IDENTITY_PENDING),
        ),
    )

    def encryption_key(self) -> DataKey | None:
        return self.data_key

    @property
    def incident_date(self) -> date | None:
        """The exact date of the incident (decrypted)."""
        text = self._incident_date_text
        return date.fromisoformat(text) if text else None

    @incident_date.setter
    def incident_date(self, value: date | None) -> None:
        """Seal the exact date and keep its month in the clear (what the statistics count)."""
        self._incident_date_text = value.isoformat() if value else None
        self.incident_month = month_of(value)

    @property
    def child_age(self) -> int | None:
        """The child's age in years at the incident (decrypted)."""
        text = self._child_age_text
        return int(text) if text else None

    @child_age.setter
    def child_age(self, value: int | None) -> None:
        """Seal the exact age and keep its age group in the clear (what the statistics count)."""
        self._child_age_text = None if value is None else str(int(value))
        self.child_age_group = age_group(value)

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality == Confidentiality.RESTRICTED.value

    @property
    def is_shredded(self) -> bool:
        """Say whether retention removed the child's identity (nothing sealed can be read any more)."""
        return self.shredded_at is not None

    @property
    def is_open(self) -> bool:
        return self.status not in (CaseStatus.CLOSED.value, CaseStatus.CANCELLED.value)

    def first_contact_overdue(self, now: datetime) -> bool:
        """Say whether the first contact is still missing past its due time."""
        return self.first_contact_at is None and self.is_open and now > self.first_contact_due_at

    def __repr__(self) -> str:
        return f"<Case {self.case_number} {self.status}>"


class CaseViolenceType(db.Model):  # type: ignore[name-defined]
    """One form of violence recorded on a case (the primary one is also on the case row)."""

    __tablename__ = "case_violence_type"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class CaseAmpk(db.Model):  # type: ignore[name-defined]
    """A special-protection (AMPK) category of the child on a case."""

    __tablename__ = "case_ampk"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(60), primary_key=True)


class CaseTeamMember(db.Model):  # type: ignore[name-defined]
    """A worker of the owning agency who works on the case besides its manager."""

    __tablename__ = "case_team_member"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class CaseParty(db.Model):  # type: ignore[name-defined]
    """Another person on a case: guardian, reporter, perpetrator or witness."""

    __tablename__ = "case_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name_ct: Mapped[bytes | None] = mapped_column("name", LargeBinary)
    phone_ct: Mapped[bytes | None] = mapped_column("phone", LargeBinary)
    address_ct: Mapped[bytes | None] = mapped_column("address", LargeBinary)
    relationship_code: Mapped[str | None] = mapped_column("relationship", String(40))
    sex: Mapped[str | None] = mapped_column(String(1))
    age_group: Mapped[str | None] = mapped_column(String(6))
    is_child: Mapped[bool] = mapped_column(default=False)
    nik_ct: Mapped[bytes | None] = mapped_column("nik", LargeBinary)  # the alleged perpetrator's, above all
    education: Mapped[str | None] = mapped_column(String(30))
    occupation: Mapped[str | None] = mapped_column(String(30))
    marital_status: Mapped[str | None] = mapped_column(String(12))
    # The same alleged perpetrator on the other cases of the case's incident (shared when the party is copied
    # at registration or matched when a case joins the incident): counted once in the reports.
    incident_person: Mapped[UUID | None] = mapped_column(Uuid)

    name = EncryptedField("name_ct")
    nik = EncryptedField("nik_ct")
    phone = EncryptedField("phone_ct")
    address = EncryptedField("address_ct")

    case: Mapped[Case] = relationship(back_populates="parties")

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key


class CaseNote(db.Model):  # type: ignore[name-defined]
    """A dated note on a case; its body is encrypted."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(12), default=NoteVisibility.CASE_TEAM.value)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # "no note in 30 days"
    body_ct: Mapped[bytes | None] = mapped_column("body", LargeBinary)

    body = EncryptedField("body_ct")

    case: Mapped[Case] = relationship()
    author: Mapped[User] = relationship(lazy="joined")

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key


class ServiceRecord(db.Model):  # type: ignore[name-defined]
    """A service delivered to the child (one of the eight national kinds)."""

    __tablename__ = "service_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    service_type: Mapped[str] = mapped_column(String(40))
    provider_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service_date: Mapped[date] = mapped_column(Date, index=True)  # services of a period
    outcome: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note_ct: Mapped[bytes | None] = mapped_column("note", LargeBinary)

    note = EncryptedField("note_ct")

    case: Mapped[Case] = relationship()
    provider_agency: Mapped[Agency] = relationship(lazy="joined")

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key


class CaseEvent(db.Model):  # type: ignore[name-defined]
    """The case's own timeline: status changes, closure requests, assignments (codes only)."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship(foreign_keys=[actor_id], lazy="joined")
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id], lazy="joined")


class CaseNumberCounter(db.Model):  # type: ignore[name-defined]
    """The last case number given in a year (one row per year, incremented atomically)."""

    __tablename__ = "case_number_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)
