"""The case-management practice around a case: assessments, care plans, case conferences and their tasks.

Categories, levels and dates are plaintext codes (for queues and statistics); what a worker writes about
the child (reasons, summaries) is encrypted under the case's data key, like the case's narrative.
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
from caseapp.models.case import Case
from caseapp.models.data_key import DataKey
from caseapp.models.encrypted import EncryptedField
from caseapp.models.user import User


class Answer(StrEnum):
    """A safety question's answer."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class NeedDomain(StrEnum):
    """The domains of a child's needs an assessment looks at."""

    HEALTH = "health"
    PSYCHOLOGICAL = "psychological"
    EDUCATION = "education"
    LEGAL = "legal"
    FAMILY = "family"
    ECONOMIC = "economic"


class Assessment(db.Model):  # type: ignore[name-defined]
    """One assessment of a case's child; a revision is a new row, the newest is the case's assessment."""

    __tablename__ = "case_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    perpetrator_has_access: Mapped[str] = mapped_column(String(10))
    safe_tonight: Mapped[str] = mapped_column(String(10))
    needs: Mapped[str] = mapped_column(String(200), default="")  # NeedDomain codes, comma-separated
    risk_level: Mapped[str] = mapped_column(String(10))
    risk_reasons_ct: Mapped[bytes | None] = mapped_column("risk_reasons", LargeBinary)
    summary_ct: Mapped[bytes | None] = mapped_column("summary", LargeBinary)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]

    risk_reasons = EncryptedField("risk_reasons_ct")
    summary = EncryptedField("summary_ct")

    case: Mapped[Case] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")

    @property
    def need_codes(self) -> list[str]:
        return [n for n in self.needs.split(",") if n]

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key


class CarePlanStatus(StrEnum):
    """Where a care plan stands: waiting for a supervisor, approved, or returned with a comment."""

    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"


class CarePlan(db.Model):  # type: ignore[name-defined]
    """A care plan (rencana intervensi): goals with services, the responsible agency and a due date, a
    review date and a safety plan; a supervisor approves it or returns it. A new plan supersedes the last."""

    __tablename__ = "care_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=CarePlanStatus.PENDING.value)
    review_date: Mapped[date] = mapped_column(Date)
    safety_plan_ct: Mapped[bytes | None] = mapped_column("safety_plan", LargeBinary)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    comment_ct: Mapped[bytes | None] = mapped_column("comment", LargeBinary)  # why it was returned
    review_reminded_on: Mapped[date | None] = mapped_column(Date)  # the overdue review's last reminder

    safety_plan = EncryptedField("safety_plan_ct")
    comment = EncryptedField("comment_ct")

    case: Mapped[Case] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    goals: Mapped[list[CarePlanGoal]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CarePlanGoal.position"
    )

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key


class CarePlanGoal(db.Model):  # type: ignore[name-defined]
    """One goal of a care plan: what for (encrypted), which services, which agency answers for it, by when."""

    __tablename__ = "care_plan_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    goal_ct: Mapped[bytes | None] = mapped_column("goal", LargeBinary)
    services: Mapped[str] = mapped_column(String(400), default="")  # `service` codes, comma-separated
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    due_date: Mapped[date] = mapped_column(Date)

    goal = EncryptedField("goal_ct")

    plan: Mapped[CarePlan] = relationship(back_populates="goals")
    agency: Mapped[Agency] = relationship(lazy="joined")

    @property
    def service_codes(self) -> list[str]:
        return [s for s in self.services.split(",") if s]

    def encryption_key(self) -> DataKey | None:
        return self.plan.case.data_key


class Conference(db.Model):  # type: ignore[name-defined]
    """A case conference (konferensi kasus): when it was held, which agencies took part (codes), who was
    there and what was decided (encrypted), and the follow-up tasks it gave out."""

    __tablename__ = "case_conference"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    agencies: Mapped[str] = mapped_column(String(400), default="")  # agency codes, comma-separated
    people_ct: Mapped[bytes | None] = mapped_column("people", LargeBinary)
    decisions_ct: Mapped[bytes | None] = mapped_column("decisions", LargeBinary)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    people = EncryptedField("people_ct")
    decisions = EncryptedField("decisions_ct")

    case: Mapped[Case] = relationship()
    author: Mapped[User] = relationship(lazy="joined")
    tasks: Mapped[list[Task]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Task.position"
    )

    @property
    def agency_codes(self) -> list[str]:
        return [a for a in self.agencies.split(",") if a]

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key


class TaskStatus(StrEnum):
    """Where a conference's follow-up task stands."""

    OPEN = "open"
    DONE = "done"


class Task(db.Model):  # type: ignore[name-defined]
    """A follow-up task of a case conference: what to do (encrypted), whose it is, by when.

    Its owner is a user of the owning agency or of a referral partner (`referral_id`: the referral through
    which that agency works on the case). `case_id` repeats the conference's case, so the queue and the
    closure check find a case's open tasks without the conference.
    """

    __tablename__ = "case_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("case_conference.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    description_ct: Mapped[bytes | None] = mapped_column("description", LargeBinary)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=TaskStatus.OPEN.value)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime | None]
    completion_note_ct: Mapped[bytes | None] = mapped_column("completion_note", LargeBinary)

    description = EncryptedField("description_ct")
    completion_note = EncryptedField("completion_note_ct")

    conference: Mapped[Conference] = relationship(back_populates="tasks")
    case: Mapped[Case] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN.value

    def encryption_key(self) -> DataKey | None:
        return self.case.data_key
